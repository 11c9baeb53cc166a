package io.hindsight.registry;

import org.apache.avro.Schema;

/** Avro schemas shared by the registry tests: a prediction record and its evolutions. */
final class TestSchemas {

    /** Version 1: nested record, a nullable union, an array and a map. */
    static final Schema PREDICTION_V1 =
            parse(
                    """
                    {"type": "record", "name": "Prediction", "namespace": "test.hindsight",
                     "fields": [
                       {"name": "request_id", "type": "string"},
                       {"name": "score", "type": "double"},
                       {"name": "label", "type": ["null", "string"], "default": null},
                       {"name": "model", "type": {"type": "record", "name": "Model", "fields": [
                          {"name": "name", "type": "string"},
                          {"name": "version", "type": "int"}]}},
                       {"name": "features", "type": {"type": "map", "values": "double"}},
                       {"name": "tags", "type": {"type": "array", "items": "string"}},
                       {"name": "outcome", "type": ["null", "long",
                          {"type": "record", "name": "Click", "fields": [
                             {"name": "position", "type": "int"}]}], "default": null}
                     ]}
                    """);

    /** Version 2: adds a field with a default — BACKWARD compatible with version 1. */
    static final Schema PREDICTION_V2_COMPATIBLE =
            parse(
                    """
                    {"type": "record", "name": "Prediction", "namespace": "test.hindsight",
                     "fields": [
                       {"name": "request_id", "type": "string"},
                       {"name": "score", "type": "double"},
                       {"name": "label", "type": ["null", "string"], "default": null},
                       {"name": "model", "type": {"type": "record", "name": "Model", "fields": [
                          {"name": "name", "type": "string"},
                          {"name": "version", "type": "int"}]}},
                       {"name": "features", "type": {"type": "map", "values": "double"}},
                       {"name": "tags", "type": {"type": "array", "items": "string"}},
                       {"name": "outcome", "type": ["null", "long",
                          {"type": "record", "name": "Click", "fields": [
                             {"name": "position", "type": "int"}]}], "default": null},
                       {"name": "channel", "type": "string", "default": "web"}
                     ]}
                    """);

    /** Adds a field without a default — version 1 data cannot be read with it. */
    static final Schema PREDICTION_V2_INCOMPATIBLE =
            parse(
                    """
                    {"type": "record", "name": "Prediction", "namespace": "test.hindsight",
                     "fields": [
                       {"name": "request_id", "type": "string"},
                       {"name": "score", "type": "double"},
                       {"name": "tenant", "type": "string"}
                     ]}
                    """);

    static final Schema FEEDBACK =
            parse(
                    """
                    {"type": "record", "name": "Feedback", "namespace": "test.hindsight",
                     "fields": [{"name": "request_id", "type": "string"},
                                {"name": "clicked", "type": "boolean"}]}
                    """);

    private TestSchemas() {}

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }
}
