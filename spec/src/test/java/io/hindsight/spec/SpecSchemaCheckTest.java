package io.hindsight.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecSchemaCheckTest {

    private static final JobSpec SPEC = SpecLoader.parse(SpecTesting.BASE, Map.of());

    private static final Schema FEEDBACK =
            new Schema.Parser()
                    .parse(
                            """
                            {"type": "record", "name": "Fb", "fields": [
                              {"name": "prediction_id", "type": "string"},
                              {"name": "ts", "type": "long"},
                              {"name": "is_fraud", "type": ["null", "boolean"]}
                            ]}
                            """);

    private static Schema predictions(String score, String context) {
        return new Schema.Parser()
                .parse(
                        """
                        {"type": "record", "name": "P", "namespace": "acme", "fields": [
                          {"name": "request", "type": ["null", {"type": "record", "name": "Req",
                            "fields": [{"name": "id", "type": "string"},
                                       {"name": "ts", "type": "long"}]}]},
                          {"name": "model", "type": {"type": "map", "values": "string"}},
                          {"name": "score", "type": %s},
                          {"name": "amount", "type": "double"},
                          {"name": "merchant", "type": {"type": "enum", "name": "M",
                            "symbols": ["A", "B"]}},
                          {"name": "context", "type": %s}
                        ]}
                        """
                                .formatted(score, context));
    }

    private static final String CONTEXT =
            """
            {"type": "record", "name": "Ctx", "fields": [
              {"name": "country", "type": "string"}, {"name": "channel", "type": "string"}]}
            """;

    @Test
    void acceptsNestedRecordsMapsAndNullableUnions() {
        assertThat(SpecSchemaCheck.check(SPEC, predictions("\"float\"", CONTEXT), FEEDBACK))
                .isEmpty();
    }

    @Test
    void reportsMissingFieldsAndWrongTypes() {
        String context =
                """
                {"type": "record", "name": "Ctx", "fields": [{"name": "country", "type": "int"},
                  {"name": "channel", "type": {"type": "array", "items": "string"}}]}
                """;
        Schema feedback =
                new Schema.Parser()
                        .parse(
                                """
                                {"type": "record", "name": "Fb", "fields": [
                                  {"name": "prediction_id", "type": "string"},
                                  {"name": "ts", "type": ["null", "string", "long"]}
                                ]}
                                """);

        assertThat(SpecSchemaCheck.check(SPEC, predictions("\"string\"", context), feedback))
                .extracting(SpecError::toString)
                .containsExactly(
                        "inputs.predictions.fields.score: field 'score' is string — expected"
                                + " int, long, float or double",
                        "inputs.predictions.tags.channel: field 'context.channel' is array of"
                                + " string — expected enum, string, int, long or boolean",
                        "inputs.feedback.fields.event-time: field 'ts' is [null, string, long] —"
                                + " expected string, int, long or double",
                        "inputs.feedback.fields.label: field 'is_fraud' not found — record Fb"
                                + " has: prediction_id, ts");
    }

    @Test
    void reportsPathsThroughNonRecords() {
        assertThat(SpecSchemaCheck.check(SPEC, predictions("\"double\"", "\"string\""), null))
                .extracting(SpecError::toString)
                .containsExactly(
                        "inputs.predictions.tags.country: field 'context.country' not found —"
                                + " 'context' is string, not a record or map",
                        "inputs.predictions.tags.channel: field 'context.channel' not found —"
                                + " 'context' is string, not a record or map");
        assertThat(
                        SpecSchemaCheck.check(
                                SPEC,
                                predictions("\"double\"", "[\"int\", " + CONTEXT + "]"),
                                null))
                .extracting(SpecError::toString)
                .containsExactly(
                        "inputs.predictions.tags.country: field 'context.country' cannot be"
                                + " read — 'context' is [int, record acme.Ctx]; expected a single type"
                                + " or [\"null\", type]",
                        "inputs.predictions.tags.channel: field 'context.channel' cannot be"
                                + " read — 'context' is [int, record acme.Ctx]; expected a single type"
                                + " or [\"null\", type]");
    }

    @Test
    void checksElementTypesOfScoresAndRankedItems() {
        String yaml =
                """
                version: 1
                application: recs
                kafka: {bootstrap-servers: 'k:9092'}
                inputs:
                  predictions:
                    topic: p
                    format: json
                    fields: {join-key: id, event-time: ts, model-name: {value: m},
                             model-version: {value: '1'}, scores: s, ranked-items: items}
                  feedback:
                    topic: f
                    format: json
                    fields: {join-key: id, event-time: ts, label-class: item}
                join: {label-window: 30m}
                """;
        Schema schema =
                new Schema.Parser()
                        .parse(
                                """
                                {"type": "record", "name": "R", "fields": [
                                  {"name": "id", "type": "long"}, {"name": "ts", "type": "long"},
                                  {"name": "s", "type": {"type": "map", "values": "string"}},
                                  {"name": "items", "type": {"type": "array", "items": "double"}}
                                ]}
                                """);

        JobSpec spec = SpecLoader.parse(yaml, Map.of());

        // A label window under an hour also bounds the default early-feedback hold.
        assertThat(spec.join().earlyFeedbackHold()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(SpecSchemaCheck.check(spec, schema, null))
                .extracting(SpecError::toString)
                .containsExactly(
                        "inputs.predictions.fields.scores: field 's' is map of string —"
                                + " expected map of int, long, float or double",
                        "inputs.predictions.fields.ranked-items: field 'items' is array of"
                                + " double — expected array of enum, string, int or long");
    }

    @Test
    void reportsUnreadableSchemaFiles(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("p.avsc"), "{\"type\": \"record\"}");
        String yaml =
                SpecTesting.edit(
                        "    topic: predictions\n",
                        "    topic: predictions\n    schema-file: " + bad + "\n");

        assertThat(SpecSchemaCheck.check(SpecLoader.parse(yaml, Map.of())))
                .extracting(SpecError::path, SpecError::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("inputs.predictions.schema-file", 0));
        assertThat(SpecSchemaCheck.check(SpecLoader.parse(yaml, Map.of())).get(0).message())
                .startsWith("cannot read Avro schema '" + bad + "' — ");
    }
}
