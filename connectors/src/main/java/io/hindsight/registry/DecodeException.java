package io.hindsight.registry;

/**
 * A record could not be decoded. {@link #code()} is a stable, machine-readable reason (it becomes
 * the reason column of a dead-letter record); {@link #getMessage()} tells a person what was found
 * and what to check.
 *
 * <p>Shared by all of Hindsight's decoders; each documents the codes it uses. The codes of {@link
 * ConfluentAvroDecoder} are the constants below.
 */
public final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The record's bytes do not start with the Confluent magic byte and a schema id. */
    public static final String NOT_CONFLUENT_FRAMED = "NOT_CONFLUENT_FRAMED";

    /** The schema id in the record's header is not known to the schema registry. */
    public static final String UNKNOWN_SCHEMA_ID = "UNKNOWN_SCHEMA_ID";

    /** The Avro payload does not decode with the writer schema named in its header. */
    public static final String CORRUPT_AVRO = "CORRUPT_AVRO";

    /** The writer schema cannot be resolved to the configured reader schema. */
    public static final String INCOMPATIBLE_SCHEMA = "INCOMPATIBLE_SCHEMA";

    /**
     * The schema registry could not be asked (down, unreachable, refused our credentials). This is
     * about the registry, not the record: callers usually fail the job and let it restart rather
     * than dead-letter every record while the registry is away.
     */
    public static final String REGISTRY_UNAVAILABLE = "REGISTRY_UNAVAILABLE";

    private final String code;

    public DecodeException(String code, String message) {
        super(message);
        this.code = code;
    }

    public DecodeException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable reason code, for example {@link #UNKNOWN_SCHEMA_ID}. */
    public String code() {
        return code;
    }
}
