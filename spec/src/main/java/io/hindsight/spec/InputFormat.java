package io.hindsight.spec;

/** How the records of an input topic are encoded. */
public enum InputFormat {
    /** Avro in the Confluent wire format, writer schema resolved through the schema registry. */
    AVRO_CONFLUENT,
    /** Plain Avro binary written with the spec's {@code schema-file}. */
    AVRO,
    /** One JSON object per record. */
    JSON
}
