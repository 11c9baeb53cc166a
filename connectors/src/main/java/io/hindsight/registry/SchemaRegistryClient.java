package io.hindsight.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API Hindsight uses. Every method throws {@link
 * SchemaRegistryException} when the registry refuses the request or cannot be reached.
 * Implementations are thread-safe.
 */
public interface SchemaRegistryClient {

    /** The schema with this global id. Ids are immutable, so the answer may be cached forever. */
    Schema getById(int id);

    /**
     * Registers {@code schema} under {@code subject} (a no-op returning the existing id if it is
     * already registered there) and returns its global id.
     */
    int register(String subject, Schema schema);

    /** The id of {@code schema} if it is registered under {@code subject}; error 40403 if not. */
    int lookup(String subject, Schema schema);

    /** The latest version registered under {@code subject}; error 40401 if there is none. */
    RegisteredSchema latest(String subject);

    /**
     * Whether {@code schema} may be registered under {@code subject} as its next version, under the
     * compatibility level the registry has for that subject. True for a subject that has no
     * versions yet.
     */
    boolean isCompatible(String subject, Schema schema);
}
