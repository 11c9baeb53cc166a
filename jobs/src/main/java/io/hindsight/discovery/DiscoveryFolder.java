package io.hindsight.discovery;

import io.hindsight.schemas.Outcome;
import io.hindsight.window.PartialFolder;
import java.util.List;

/**
 * Folds outcome rows into the {@link CohortCells} of their cohort — the metrics window holding the
 * <em>prediction</em> time. One accumulator per (application, cohort): its key carries the cohort,
 * so that the merge stage keys by cohort and the cohorts of one application spread over subtasks.
 */
public final class DiscoveryFolder implements PartialFolder<Outcome, CohortCells> {

    private static final long serialVersionUID = 1L;

    private final DiscoveryConfig config;
    private transient List<int[]> combinations;

    public DiscoveryFolder(DiscoveryConfig config) {
        this.config = config;
    }

    /** The merge stage's key of a cohort: application, NUL, window start. */
    static String key(String application, long windowStart) {
        return application + '\u0000' + windowStart;
    }

    @Override
    public void fold(Outcome o, long timestamp, Accumulators<CohortCells> accumulators) {
        if (combinations == null) {
            combinations = config.combinations();
        }
        long start = config.windowStart(o.getPredictionTime().toEpochMilli());
        accumulators
                .get(key(config.application(), start), start, start + config.windowMs())
                .addOutcome(o, config, combinations);
    }

    @Override
    public CohortCells create() {
        return CohortCells.create(config);
    }

    @Override
    public byte[] serialize(CohortCells accumulator) {
        if (combinations == null) {
            combinations = config.combinations();
        }
        accumulator.trim(config.maxValues(), combinations);
        return accumulator.toBytes();
    }
}
