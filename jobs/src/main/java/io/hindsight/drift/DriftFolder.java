package io.hindsight.drift;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.PartialFolder;
import java.util.List;
import java.util.Map;

/**
 * Folds each prediction into the accumulators of (application + target, tumbling event-time window)
 * for every drift target; the first stage of drift, run by {@code PreAggregateOperator}. Re-sent
 * predictions ({@code duplicate = true}) are skipped.
 */
public final class DriftFolder implements PartialFolder<Prediction, FeatureWindow> {

    private static final long serialVersionUID = 1L;

    /** Separates the application from the target's name in a key: never part of either. */
    static final char KEY_SEPARATOR = '\u0000';

    private final List<DriftTarget> targets;
    private final String[] keys;
    private final long windowMillis;
    private final int sketchK;
    private final int maxCategories;

    public DriftFolder(JobSpec spec) {
        this(
                spec.application(),
                DriftTarget.of(spec),
                spec.drift().window().toMillis(),
                spec.drift().sketchK(),
                spec.drift().maxCategories());
    }

    DriftFolder(
            String application,
            List<DriftTarget> targets,
            long windowMillis,
            int sketchK,
            int maxCategories) {
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("drift window must be positive: " + windowMillis);
        }
        this.targets = List.copyOf(targets);
        this.keys = targets.stream().map(t -> key(application, t.name())).toArray(String[]::new);
        this.windowMillis = windowMillis;
        this.sketchK = sketchK;
        this.maxCategories = maxCategories;
    }

    /** The merge stage's key of {@code target} of {@code application}. */
    public static String key(String application, String target) {
        return application + KEY_SEPARATOR + target;
    }

    /** The target name in a key built by {@link #key}. */
    static String targetOf(String key) {
        int at = key.indexOf(KEY_SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("not a drift key: " + key);
        }
        return key.substring(at + 1);
    }

    /** The start of the tumbling window (aligned to the epoch) that contains {@code time}. */
    static long windowStart(long time, long windowMillis) {
        return time - Math.floorMod(time, windowMillis);
    }

    @Override
    public void fold(Prediction p, long timestamp, Accumulators<FeatureWindow> accumulators) {
        if (p.getDuplicate()) {
            return;
        }
        long time = timestamp != Long.MIN_VALUE ? timestamp : p.getEventTime().toEpochMilli();
        long start = windowStart(time, windowMillis);
        long end = start + windowMillis;
        for (int i = 0; i < keys.length; i++) {
            add(p, targets.get(i), accumulators.get(keys[i], start, end));
        }
    }

    /** Adds one prediction's value of {@code target} (if it has one) to {@code w}. */
    static void add(Prediction p, DriftTarget target, FeatureWindow w) {
        w.predictions++;
        switch (target.kind()) {
            case NUMERIC -> {
                Double v = target.numeric(p);
                if (v != null) {
                    w.numeric().add(v, target);
                }
            }
            case CATEGORICAL -> {
                String c = target.category(p);
                if (c != null) {
                    w.categories().add(c);
                }
            }
            case NUMERIC_MAP -> {
                Map<String, Double> byClass = target.numericMap(p);
                if (byClass != null) {
                    for (Map.Entry<String, Double> e : byClass.entrySet()) {
                        NumericValues v = w.classValues(e.getKey());
                        if (v == null) {
                            w.unreportedClassValues++;
                        } else {
                            v.add(e.getValue(), target);
                        }
                    }
                }
            }
        }
    }

    @Override
    public FeatureWindow create() {
        return new FeatureWindow(sketchK, maxCategories);
    }

    @Override
    public byte[] serialize(FeatureWindow accumulator) {
        return accumulator.encode();
    }
}
