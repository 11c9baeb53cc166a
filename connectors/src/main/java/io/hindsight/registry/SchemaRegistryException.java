package io.hindsight.registry;

import io.hindsight.spec.SpecSecrets;

/**
 * A schema registry request failed: either the registry answered with an error (then {@link
 * #httpStatus()} and the registry's {@link #errorCode()} are set, e.g. 404 / 40403 "schema not
 * found") or no registry could be reached (then {@link #isConnectionFailure()} is true).
 */
public final class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Confluent error code: the subject does not exist. */
    public static final int SUBJECT_NOT_FOUND = 40401;

    /** Confluent error code: the subject exists but not this version. */
    public static final int VERSION_NOT_FOUND = 40402;

    /** Confluent error code: no schema with this id, or not under this subject. */
    public static final int SCHEMA_NOT_FOUND = 40403;

    /** Confluent error code: the schema text is not a valid schema. */
    public static final int INVALID_SCHEMA = 42201;

    /** Marks "no HTTP status / no error code": the registry did not answer. */
    public static final int NONE = -1;

    private final int httpStatus;
    private final int errorCode;
    private final boolean connectionFailure;

    /** The registry answered {@code httpStatus} (with {@code errorCode}, or {@link #NONE}). */
    SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, false, null);
    }

    private SchemaRegistryException(
            String message,
            int httpStatus,
            int errorCode,
            boolean connectionFailure,
            Throwable cause) {
        // Registry URLs may carry user info (https://user:password@host): never in a message.
        super(SpecSecrets.maskUrl(message), cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.connectionFailure = connectionFailure;
    }

    /** No registry answered. */
    static SchemaRegistryException connectionFailure(String message, Throwable cause) {
        return new SchemaRegistryException(message, NONE, NONE, true, cause);
    }

    /** A registry answered, but with something Hindsight cannot use. */
    static SchemaRegistryException badAnswer(String message, int httpStatus, Throwable cause) {
        return new SchemaRegistryException(message, httpStatus, NONE, false, cause);
    }

    /** The HTTP status the registry answered with, or {@link #NONE} if none answered. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The registry's {@code error_code} (e.g. {@link #SCHEMA_NOT_FOUND}), or {@link #NONE} if the
     * registry did not answer or its answer carried no code.
     */
    public int errorCode() {
        return errorCode;
    }

    /**
     * True if no registry answered: connection refused, timeout, TLS handshake failure, or the
     * caller's thread was interrupted while waiting.
     */
    public boolean isConnectionFailure() {
        return connectionFailure;
    }
}
