package io.hindsight.drift;

import io.hindsight.schemas.DriftResult;
import io.hindsight.spec.DriftDecision;
import io.hindsight.spec.DriftSpec;
import io.hindsight.spec.DriftThresholds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Turns a target's window and its reference into {@link DriftResult} rows. */
final class DriftRows {

    /** How many categories {@code top_categories} lists. */
    static final int TOP_CATEGORIES = 10;

    /** The deciding statistics, in the order of {@code drifted_by}. */
    static final String[] STATISTICS = {"jensen_shannon", "psi", "wasserstein"};

    /** {@code DriftResult.decided_by} values. */
    static final String INSUFFICIENT_DATA = "insufficient_data";

    static final String SAMPLING_NOISE = "sampling_noise";
    static final String EFFECT_SIZE = "effect_size";
    static final String RATE_SHIFT = "rate_shift";
    static final String P_VALUE = "p_value";

    /** Thresholds cached per (target, n, m) for a fixed reference. */
    static final int THRESHOLD_CACHE = 256;

    private final String application;
    private final String referenceLabel;
    private final DriftThresholds thresholds;
    private final DriftDecision decision;
    private final Set<String> rateShiftTargets;
    private final boolean fixedReference;
    private final Map<ThresholdKey, NullThresholds.Thresholds> cache =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(
                        Map.Entry<ThresholdKey, NullThresholds.Thresholds> eldest) {
                    return size() > THRESHOLD_CACHE;
                }
            };

    private record ThresholdKey(String feature, long n, long m) {}

    /**
     * @param fixedReference whether every window of a target is compared with the same reference (a
     *     profile or table), so that its thresholds can be cached by the window's size
     */
    DriftRows(String application, String referenceLabel, DriftSpec drift, boolean fixedReference) {
        this.application = application;
        this.referenceLabel = referenceLabel;
        this.thresholds = drift.thresholds();
        this.decision = drift.decision() == null ? DriftDecision.DEFAULTS : drift.decision();
        Set<String> rate = new HashSet<>(decision.rateShift().features());
        if (decision.rateShift().modelOutputs() && drift.modelOutputs()) {
            rate.add(DriftTarget.PREDICTED_CLASS);
        }
        this.rateShiftTargets = Set.copyOf(rate);
        this.fixedReference = fixedReference;
    }

    /**
     * The rows of {@code target} for window {@code [start, end)}: one, or for a numeric map one per
     * class of the window or the reference (sorted by class).
     *
     * @param reference the reference, or null when there is none (yet)
     */
    List<DriftResult> rows(
            DriftTarget target,
            long start,
            long end,
            FeatureWindow window,
            FeatureWindow reference) {
        return switch (target.kind()) {
            case NUMERIC ->
                    List.of(
                            numeric(
                                    target,
                                    target.name(),
                                    start,
                                    end,
                                    window.predictions(),
                                    window.numericOrNull(),
                                    reference == null ? null : reference.numericOrNull()));
            case CATEGORICAL ->
                    List.of(
                            categorical(
                                    target,
                                    start,
                                    end,
                                    window.predictions(),
                                    window.categoriesOrNull(),
                                    reference == null ? null : reference.categoriesOrNull()));
            case NUMERIC_MAP -> {
                TreeSet<String> classes = new TreeSet<>(window.classes().keySet());
                if (reference != null) {
                    classes.addAll(reference.classes().keySet());
                }
                List<DriftResult> rows = new ArrayList<>(classes.size());
                for (String c : classes) {
                    rows.add(
                            numeric(
                                    target,
                                    target.rowName(c),
                                    start,
                                    end,
                                    window.predictions(),
                                    window.classes().get(c),
                                    reference == null ? null : reference.classes().get(c)));
                }
                yield rows;
            }
        };
    }

    private DriftResult numeric(
            DriftTarget target,
            String feature,
            long start,
            long end,
            long predictions,
            NumericValues w,
            NumericValues r) {
        long values = w == null ? 0 : w.values;
        long referenceValues = r == null ? 0 : r.values;
        DriftResult.Builder row = base(target, feature, start, end, predictions, values);
        row.setReferenceValues(referenceValues);
        boolean decidable = decidable(row, values, referenceValues);
        row.setOutOfRangeRate(
                target.hasRange() && values > 0 ? w.outOfRange / (double) values : null);
        if (values > 0) {
            row.setMean(w.mean());
            row.setQuantiles(DriftStatistics.quantiles(w.sketch));
        }
        if (values > 0 && referenceValues > 0) {
            double std = r.std();
            DriftStatistics.Comparison c = DriftStatistics.numeric(w.sketch, r.sketch, std);
            row.setJensenShannon(c.jensenShannon())
                    .setPsi(c.psi())
                    .setWasserstein(c.wasserstein())
                    .setKolmogorovSmirnov(c.kolmogorovSmirnov())
                    .setKsPValue(c.ksPValue());
            if (decidable) {
                NullThresholds.Thresholds noise =
                        thresholds(
                                feature,
                                values,
                                referenceValues,
                                (n, seed) ->
                                        NullThresholds.numeric(
                                                r.sketch,
                                                std,
                                                n,
                                                decision.falseAlarmRate(),
                                                decision.nullSamples(),
                                                seed));
                flag(row, c, noise, null);
            }
        }
        return row.build();
    }

    private DriftResult categorical(
            DriftTarget target,
            long start,
            long end,
            long predictions,
            CategoryCounts w,
            CategoryCounts r) {
        long values = w == null ? 0 : w.values();
        long referenceValues = r == null ? 0 : r.values();
        DriftResult.Builder row = base(target, target.name(), start, end, predictions, values);
        row.setReferenceValues(referenceValues);
        boolean decidable = decidable(row, values, referenceValues);
        if (values > 0) {
            row.setTopCategories(top(w));
        }
        if (values > 0 && referenceValues > 0) {
            DriftStatistics.Comparison c = DriftStatistics.categorical(w, r);
            row.setJensenShannon(c.jensenShannon())
                    .setPsi(c.psi())
                    .setChiSquare(c.chiSquare())
                    .setChiSquarePValue(c.chiSquarePValue())
                    .setUnseenCategories(c.unseenCategories());
            if (decidable) {
                boolean rate = rateShiftTargets.contains(target.name());
                double alpha = decision.falseAlarmRate() / (rate ? 2 : 1);
                NullThresholds.Thresholds noise =
                        thresholds(
                                target.name(),
                                values,
                                referenceValues,
                                (n, seed) ->
                                        NullThresholds.categorical(
                                                referenceCounts(r),
                                                n,
                                                alpha,
                                                decision.nullSamples(),
                                                seed));
                RateShift.Result shift =
                        rate ? RateShift.test(w, r, alpha, decision.rateShift()) : null;
                if (shift != null) {
                    row.setRateCategory(shift.category())
                            .setRateWindow(shift.windowRate())
                            .setRateReference(shift.referenceRate())
                            .setRatePValue(shift.pValue());
                }
                flag(row, c, noise, shift);
            }
        }
        return row.build();
    }

    private DriftResult.Builder base(
            DriftTarget target,
            String feature,
            long start,
            long end,
            long predictions,
            long values) {
        return DriftResult.newBuilder()
                .setApplication(application)
                .setFeature(feature)
                .setKind(target.featureKind())
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setPredictions(predictions)
                .setValues(values)
                .setMissingRate(predictions == 0 ? 0.0 : 1.0 - values / (double) predictions)
                .setOutOfRangeRate(null)
                .setReference(referenceLabel)
                .setQuantiles(Map.of())
                .setTopCategories(Map.of())
                .setDrifted(false)
                .setDriftedBy(List.of())
                .setInsufficientData(false)
                .setDecidedBy(null)
                .setThresholds(null)
                .setNoiseThresholds(null)
                .setRateCategory(null)
                .setRateWindow(null)
                .setRateReference(null)
                .setRatePValue(null);
    }

    /**
     * Whether the window and the reference both have {@code drift.min-values} values; if not, the
     * row says {@code insufficient_data} and is not drifted (a window without values, or without a
     * reference yet, included).
     */
    private boolean decidable(DriftResult.Builder row, long values, long referenceValues) {
        if (values < decision.minValues() || referenceValues < decision.minValues()) {
            row.setInsufficientData(true).setDecidedBy(INSUFFICIENT_DATA);
            return false;
        }
        return true;
    }

    /** The noise thresholds at (n, m), cached by size for a fixed reference. */
    private NullThresholds.Thresholds thresholds(
            String feature, long n, long m, ThresholdSource source) {
        long seed = seed(feature, n, m);
        if (!fixedReference) {
            return source.compute(n, seed);
        }
        return cache.computeIfAbsent(new ThresholdKey(feature, n, m), k -> source.compute(n, seed));
    }

    /** A fixed seed per (target, n, m): a replay computes the same thresholds. */
    static long seed(String feature, long n, long m) {
        long h = feature.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= (n + 1) * 0xC2B2AE3D27D4EB4FL;
        h ^= (m + 1) * 0x165667B19E3779F9L;
        return h;
    }

    @FunctionalInterface
    private interface ThresholdSource {
        NullThresholds.Thresholds compute(long n, long seed);
    }

    /**
     * The verdict: a statistic flags the window above the larger of its floor ({@code
     * drift.thresholds}) and its noise threshold; the rate rule and, when opted in, p-values add
     * their own flags. The row says which rule decided.
     */
    private void flag(
            DriftResult.Builder row,
            DriftStatistics.Comparison c,
            NullThresholds.Thresholds noise,
            RateShift.Result shift) {
        List<String> by = new ArrayList<>();
        Map<String, Double> used = new LinkedHashMap<>();
        Map<String, Double> noiseUsed = new LinkedHashMap<>();
        boolean raised = false;
        String decider = null;
        double[] values = {
            c.jensenShannon(), c.psi(), c.wasserstein() == null ? Double.NaN : c.wasserstein()
        };
        double[] floors = {thresholds.jensenShannon(), thresholds.psi(), thresholds.wasserstein()};
        double[] noises = {noise.jensenShannon(), noise.psi(), noise.wasserstein()};
        for (int s = 0; s < STATISTICS.length; s++) {
            if (Double.isNaN(values[s]) || Double.isNaN(noises[s])) {
                continue;
            }
            double threshold = Math.max(floors[s], noises[s]);
            used.put(STATISTICS[s], threshold);
            noiseUsed.put(STATISTICS[s], noises[s]);
            boolean byNoise = noises[s] > floors[s];
            raised |= byNoise;
            if (values[s] > threshold) {
                by.add(STATISTICS[s]);
                if (decider == null) {
                    decider = byNoise ? SAMPLING_NOISE : EFFECT_SIZE;
                }
            }
        }
        if (shift != null && shift.shifted()) {
            by.add(RATE_SHIFT);
            if (decider == null) {
                decider = RATE_SHIFT;
            }
        }
        Double alpha = thresholds.pValue();
        if (alpha != null) {
            if (c.ksPValue() != null && c.ksPValue() < alpha) {
                by.add("kolmogorov_smirnov");
            }
            if (c.chiSquarePValue() != null && c.chiSquarePValue() < alpha) {
                by.add("chi_square");
            }
            if (decider == null && !by.isEmpty()) {
                decider = P_VALUE;
            }
        }
        if (decider == null) {
            decider = raised ? SAMPLING_NOISE : EFFECT_SIZE;
        }
        row.setDrifted(!by.isEmpty())
                .setDriftedBy(by)
                .setDecidedBy(decider)
                .setThresholds(used)
                .setNoiseThresholds(noiseUsed);
    }

    /** The reference's counts in a fixed order: named categories by name, then other. */
    private static long[] referenceCounts(CategoryCounts r) {
        TreeMap<String, Long> sorted = r.sorted();
        long[] counts = new long[sorted.size() + (r.other() > 0 ? 1 : 0)];
        int i = 0;
        for (long count : sorted.values()) {
            counts[i++] = count;
        }
        if (r.other() > 0) {
            counts[i] = r.other();
        }
        return counts;
    }

    /** The most frequent named categories, ties by name. */
    private static Map<String, Long> top(CategoryCounts w) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(w.sorted().entrySet());
        entries.sort(
                Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                        .thenComparing(Map.Entry::getKey));
        Map<String, Long> top = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e :
                entries.subList(0, Math.min(TOP_CATEGORIES, entries.size()))) {
            top.put(e.getKey(), e.getValue());
        }
        return top;
    }
}
