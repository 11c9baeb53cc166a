package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.window.PartialFolder;
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

    private final SliceMetricsConfig config;
    private transient double[] calibrationEdges;
    private transient String[] values;

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
                    .get(Slices.populationKey(config.application()), start, end)
                    .addPrediction(p, config.positiveThreshold());
            for (List<String> slice : config.slices()) {
                String key =
                        key(
                                slice,
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
            accumulators
                    .get(Slices.populationKey(config.application()), start, end)
                    .addOutcome(o, config, edges);
            for (List<String> slice : config.slices()) {
                String key =
                        key(
                                slice,
                                o.getTags(),
                                o.getCategoricalFeatures(),
                                o.getModelName(),
                                o.getModelVersion());
                accumulators.get(key, start, end).addOutcome(o, config, edges);
            }
        }
    }

    private String key(
            List<String> slice,
            Map<String, String> tags,
            Map<String, String> categorical,
            String modelName,
            String modelVersion) {
        if (values == null || values.length < slice.size()) {
            values = new String[Math.max(8, slice.size())];
        }
        for (int i = 0; i < slice.size(); i++) {
            values[i] = Slices.value(slice.get(i), tags, categorical, modelName, modelVersion);
        }
        return Slices.key(config.application(), slice, values);
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
