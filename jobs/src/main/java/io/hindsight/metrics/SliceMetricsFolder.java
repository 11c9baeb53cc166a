package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.window.PartialFolder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Either;

/**
 * Folds predictions (left) and outcome rows (right) into the accumulators of their cohort — the
 * metrics window holding the <em>prediction</em> time — for the population and each slice.
 * Duplicate predictions are skipped: they are in the predictions table for accounting only.
 */
public final class SliceMetricsFolder
        implements PartialFolder<Either<Prediction, Outcome>, CohortAccumulator> {

    private static final long serialVersionUID = 1L;

    /**
     * Value combinations remembered per slice, at most: beyond it the slice's keys are forgotten
     * and remembered afresh (a dimension of unbounded cardinality then costs what it did uncached).
     */
    static final int MAX_REMEMBERED_KEYS = 4096;

    private final SliceMetricsConfig config;
    private transient double[] calibrationEdges;
    private transient String[] values;
    private transient String populationKey;
    private transient SliceKeys[] sliceKeys;

    public SliceMetricsFolder(SliceMetricsConfig config) {
        this.config = config;
    }

    @Override
    public void fold(
            Either<Prediction, Outcome> record,
            long timestamp,
            Accumulators<CohortAccumulator> accumulators) {
        if (record.isLeft()) {
            Prediction p = record.left();
            if (p.getDuplicate()) {
                return;
            }
            long start = config.windowStart(p.getEventTime().toEpochMilli());
            long end = start + config.windowMs();
            accumulators
                    .get(populationKey(), start, end)
                    .addPrediction(p, config.positiveThreshold());
            for (int s = 0; s < config.slices().size(); s++) {
                String key =
                        key(
                                s,
                                p.getTags(),
                                p.getCategoricalFeatures(),
                                p.getModelName(),
                                p.getModelVersion());
                accumulators.get(key, start, end).addPrediction(p, config.positiveThreshold());
            }
        } else {
            Outcome o = record.right();
            long start = config.windowStart(o.getPredictionTime().toEpochMilli());
            long end = start + config.windowMs();
            double[] edges = edges();
            accumulators.get(populationKey(), start, end).addOutcome(o, config, edges);
            for (int s = 0; s < config.slices().size(); s++) {
                String key =
                        key(
                                s,
                                o.getTags(),
                                o.getCategoricalFeatures(),
                                o.getModelName(),
                                o.getModelVersion());
                accumulators.get(key, start, end).addOutcome(o, config, edges);
            }
        }
    }

    private String populationKey() {
        if (populationKey == null) {
            populationKey = Slices.populationKey(config.application());
        }
        return populationKey;
    }

    /** The key of slice {@code s} for a record: the remembered one when its values were seen. */
    private String key(
            int s,
            Map<String, String> tags,
            Map<String, String> categorical,
            String modelName,
            String modelVersion) {
        List<String> slice = config.slices().get(s);
        if (values == null || values.length < slice.size()) {
            values = new String[Math.max(8, slice.size())];
        }
        for (int i = 0; i < slice.size(); i++) {
            values[i] = Slices.value(slice.get(i), tags, categorical, modelName, modelVersion);
        }
        if (sliceKeys == null) {
            sliceKeys = new SliceKeys[config.slices().size()];
        }
        if (sliceKeys[s] == null) {
            sliceKeys[s] = new SliceKeys(config.application(), slice);
        }
        return sliceKeys[s].key(values);
    }

    /**
     * The keys of one slice by the record's values. A record whose values were seen before gets the
     * same String instance: its hash is computed once, and the pre-aggregation's map matches it by
     * identity, where a key built per record costs a build, a hash over the whole key and a
     * character-by-character comparison. Keys are equal strings either way.
     */
    static final class SliceKeys {

        private final String application;
        private final List<String> dimensions;
        private final Map<Values, String> keys = new HashMap<>();
        private final Values probe;

        SliceKeys(String application, List<String> dimensions) {
            this.application = application;
            this.dimensions = dimensions;
            this.probe = new Values(new String[dimensions.size()]);
        }

        String key(String[] recordValues) {
            System.arraycopy(recordValues, 0, probe.values, 0, probe.values.length);
            probe.rehash();
            String key = keys.get(probe);
            if (key == null) {
                key = Slices.key(application, dimensions, probe.values);
                if (keys.size() >= MAX_REMEMBERED_KEYS) {
                    keys.clear();
                }
                Values remembered = new Values(probe.values.clone());
                remembered.rehash();
                keys.put(remembered, key);
            }
            return key;
        }

        int remembered() {
            return keys.size();
        }
    }

    /** One slice's values of a record, as a map key. */
    private static final class Values {

        final String[] values;
        int hash;

        Values(String[] values) {
            this.values = values;
        }

        void rehash() {
            hash = Arrays.hashCode(values);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Values other
                    && hash == other.hash
                    && Arrays.equals(values, other.values);
        }
    }

    private double[] edges() {
        if (calibrationEdges == null) {
            calibrationEdges = Bins.calibrationEdges(config.calibrationBins());
        }
        return calibrationEdges;
    }

    @Override
    public CohortAccumulator create() {
        return CohortAccumulator.create(config);
    }

    @Override
    public byte[] serialize(CohortAccumulator accumulator) {
        return accumulator.toBytes();
    }
}
