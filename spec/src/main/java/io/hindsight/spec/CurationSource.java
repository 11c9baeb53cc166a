package io.hindsight.spec;

/** What a curation rule selects from. */
public enum CurationSource {
    /** Every prediction read (re-sends excluded), as it arrives. */
    PREDICTIONS,
    /** Final outcome rows: the rule waits for the label window to end. */
    OUTCOMES
}
