package io.hindsight.spec;

/** What a bounded run (backfill, replay) does with predictions still waiting at end of input. */
public enum EndOfInput {
    /** End of input is the end of time: every waiting prediction resolves. */
    DRAIN,
    /** Waiting predictions stay waiting; the job stops with a savepoint to resume from. */
    SAVEPOINT
}
