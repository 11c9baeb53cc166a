package io.hindsight.spec;

/** How a curation rule fills its budget from the period's candidates. */
public enum CurationSampling {
    /** A seeded hash of the candidate id: a uniform sample without replacement. */
    UNIFORM,
    /** The smallest |score − threshold| first, ties by the seeded hash. */
    MOST_UNCERTAIN,
    /** Uniform within each listed stratum, budget / strata each. */
    STRATIFIED
}
