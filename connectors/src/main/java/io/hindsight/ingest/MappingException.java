package io.hindsight.ingest;

/**
 * A decoded record that cannot be mapped onto a canonical event; it goes to the dead-letter topic.
 *
 * <p>{@link #code()} is stable and machine-readable; the message is a sentence a person can act on.
 */
public final class MappingException extends Exception {

    private static final long serialVersionUID = 1L;

    public static final String MISSING_FIELD = "MISSING_FIELD";
    public static final String EMPTY_JOIN_KEY = "EMPTY_JOIN_KEY";
    public static final String WRONG_TYPE = "WRONG_TYPE";
    public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";
    public static final String TIMESTAMP_OUT_OF_RANGE = "TIMESTAMP_OUT_OF_RANGE";
    public static final String NO_VALUE = "NO_VALUE";

    private final String code;

    public MappingException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
