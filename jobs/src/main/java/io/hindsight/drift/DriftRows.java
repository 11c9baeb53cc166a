package io.hindsight.drift;

import io.hindsight.schemas.DriftResult;
import io.hindsight.spec.DriftThresholds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Turns a target's window and its reference into {@link DriftResult} rows. */
final class DriftRows {

    /** How many categories {@code top_categories} lists. */
    static final int TOP_CATEGORIES = 10;

    private final String application;
    private final String referenceLabel;
    private final DriftThresholds thresholds;

    DriftRows(String application, String referenceLabel, DriftThresholds thresholds) {
        this.application = application;
        this.referenceLabel = referenceLabel;
        this.thresholds = thresholds;
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
        row.setOutOfRangeRate(
                target.hasRange() && values > 0 ? w.outOfRange / (double) values : null);
        if (values > 0) {
            row.setMean(w.mean());
            row.setQuantiles(DriftStatistics.quantiles(w.sketch));
        }
        if (values > 0 && referenceValues > 0) {
            DriftStatistics.Comparison c = DriftStatistics.numeric(w.sketch, r.sketch, r.std());
            row.setJensenShannon(c.jensenShannon())
                    .setPsi(c.psi())
                    .setWasserstein(c.wasserstein())
                    .setKolmogorovSmirnov(c.kolmogorovSmirnov())
                    .setKsPValue(c.ksPValue());
            flag(row, c);
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
            flag(row, c);
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
                .setDriftedBy(List.of());
    }

    /** Effect sizes first; p-values only when {@code drift.thresholds.p-value} is set. */
    private void flag(DriftResult.Builder row, DriftStatistics.Comparison c) {
        List<String> by = new ArrayList<>();
        if (c.jensenShannon() > thresholds.jensenShannon()) {
            by.add("jensen_shannon");
        }
        if (c.psi() > thresholds.psi()) {
            by.add("psi");
        }
        if (c.wasserstein() != null && c.wasserstein() > thresholds.wasserstein()) {
            by.add("wasserstein");
        }
        Double alpha = thresholds.pValue();
        if (alpha != null) {
            if (c.ksPValue() != null && c.ksPValue() < alpha) {
                by.add("kolmogorov_smirnov");
            }
            if (c.chiSquarePValue() != null && c.chiSquarePValue() < alpha) {
                by.add("chi_square");
            }
        }
        row.setDrifted(!by.isEmpty()).setDriftedBy(by);
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
