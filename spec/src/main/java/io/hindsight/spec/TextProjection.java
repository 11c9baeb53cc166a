package io.hindsight.spec;

/** A numeric feature derived from a text value so that text drifts like any other feature. */
public enum TextProjection {
    /** Number of characters (Unicode code points). */
    LENGTH,
    /** Number of word and punctuation tokens. */
    TOKEN_COUNT,
    /** Number of lines. */
    LINE_COUNT
}
