package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A curation rule: the candidates it selects (every condition that is set must hold), how it
 * samples them, and its budget per period of event time. {@code scoreMin}/{@code scoreMax} are
 * inclusive; {@code uncertainWithin} selects {@code |score − threshold| < uncertainWithin}; {@code
 * wrong} selects labelled outcomes whose prediction disagrees with the label (so the source is
 * {@link CurationSource#OUTCOMES}); {@code slice} maps tag or categorical-feature names to the
 * value they must have; {@code modelVersion} is null for any version. {@code strata} lists the
 * values of {@code stratifyBy} that stratified sampling draws from, {@code budget / strata} each.
 */
public record CurationRuleSpec(
        String name,
        CurationSource source,
        Double scoreMin,
        Double scoreMax,
        double threshold,
        Double uncertainWithin,
        boolean wrong,
        Map<String, String> slice,
        String modelVersion,
        CurationSampling sampling,
        String stratifyBy,
        List<String> strata,
        int budget,
        Duration period,
        long seed)
        implements Serializable {

    public CurationRuleSpec {
        slice = Collections2.map(slice);
        strata = Collections2.list(strata);
    }

    /** The most rows one stratum of one period keeps (the budget for unstratified rules). */
    public int capacity() {
        return sampling == CurationSampling.STRATIFIED && !strata.isEmpty()
                ? Math.max(1, budget / strata.size())
                : budget;
    }
}
