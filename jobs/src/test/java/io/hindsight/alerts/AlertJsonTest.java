package io.hindsight.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The alerts topic's JSON: Alertmanager-like fields, stable names, ISO-8601 UTC times. */
class AlertJsonTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static Alert.Builder alert(AlertState state, String subject) {
        return Alert.newBuilder()
                .setApplication("fraud")
                .setRule("auc-low")
                .setSeverity("critical")
                .setState(state)
                .setSource("metrics")
                .setSubject(subject)
                .setMeasure("auc")
                .setValue(0.71)
                .setCondition("below 0.85")
                .setThreshold(0.85)
                .setSupport(812)
                .setWindowStart(Instant.parse("2026-11-20T00:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-21T00:00:00Z"))
                .setEventTime(Instant.parse("2026-11-21T06:30:00.250Z"))
                .setMessage(
                        "AUC of fraud on slice country=BR is 0.71, below 0.85 (support 812, cohort"
                                + " 2026-11-20).");
    }

    static JsonNode parse(byte[] json) throws Exception {
        return MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void firingHasTheDocumentedShape() throws Exception {
        JsonNode json = parse(AlertJson.toJson(alert(AlertState.FIRING, "country=BR").build()));

        assertThat(fieldNames(json))
                .containsExactlyInAnyOrder(
                        "version",
                        "fingerprint",
                        "status",
                        "labels",
                        "annotations",
                        "startsAt",
                        "endsAt",
                        "eventTime",
                        "value",
                        "threshold",
                        "support",
                        "windowStart",
                        "windowEnd");
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("status").asText()).isEqualTo("firing");
        assertThat(json.get("fingerprint").asText())
                .isEqualTo(sha256Prefix("fraud\0auc-low\0country=BR"));

        JsonNode labels = json.get("labels");
        assertThat(fieldNames(labels))
                .containsExactlyInAnyOrder(
                        "alertname", "application", "severity", "source", "subject", "measure");
        assertThat(labels.get("alertname").asText()).isEqualTo("auc-low");
        assertThat(labels.get("application").asText()).isEqualTo("fraud");
        assertThat(labels.get("severity").asText()).isEqualTo("critical");
        assertThat(labels.get("source").asText()).isEqualTo("metrics");
        assertThat(labels.get("subject").asText()).isEqualTo("country=BR");
        assertThat(labels.get("measure").asText()).isEqualTo("auc");
        labels.elements().forEachRemaining(v -> assertThat(v.isTextual()).isTrue());

        JsonNode annotations = json.get("annotations");
        assertThat(fieldNames(annotations)).containsExactlyInAnyOrder("summary", "condition");
        assertThat(annotations.get("summary").asText())
                .isEqualTo(
                        "AUC of fraud on slice country=BR is 0.71, below 0.85 (support 812, cohort"
                                + " 2026-11-20).");
        assertThat(annotations.get("condition").asText()).isEqualTo("below 0.85");

        assertThat(json.get("startsAt").asText()).isEqualTo("2026-11-21T06:30:00.250Z");
        assertThat(json.get("endsAt").isNull()).isTrue();
        assertThat(json.get("eventTime").asText()).isEqualTo("2026-11-21T06:30:00.250Z");
        assertThat(Instant.parse(json.get("startsAt").asText()))
                .isEqualTo(Instant.parse("2026-11-21T06:30:00.250Z"));
        assertThat(json.get("value").isDouble()).isTrue();
        assertThat(json.get("value").asDouble()).isEqualTo(0.71);
        assertThat(json.get("threshold").asDouble()).isEqualTo(0.85);
        assertThat(json.get("support").isIntegralNumber()).isTrue();
        assertThat(json.get("support").asLong()).isEqualTo(812);
        assertThat(json.get("windowStart").asText()).isEqualTo("2026-11-20T00:00:00Z");
        assertThat(json.get("windowEnd").asText()).isEqualTo("2026-11-21T00:00:00Z");
    }

    @Test
    void resolvedEndsAtItsEventTimeAndKeepsTheFingerprint() throws Exception {
        JsonNode firing = parse(AlertJson.toJson(alert(AlertState.FIRING, "country=BR").build()));
        JsonNode resolved =
                parse(
                        AlertJson.toJson(
                                alert(AlertState.RESOLVED, "country=BR")
                                        .setValue(null)
                                        .setSupport(0)
                                        .setEventTime(Instant.parse("2027-01-21T01:00:00Z"))
                                        .build()));
        JsonNode otherSlice =
                parse(AlertJson.toJson(alert(AlertState.FIRING, "country=US").build()));

        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.get("startsAt").isNull()).isTrue();
        assertThat(resolved.get("endsAt").asText()).isEqualTo("2027-01-21T01:00:00Z");
        assertThat(resolved.get("value").isNull()).isTrue();
        assertThat(resolved.get("support").asLong()).isZero();
        assertThat(resolved.get("fingerprint")).isEqualTo(firing.get("fingerprint"));
        assertThat(otherSlice.get("fingerprint")).isNotEqualTo(firing.get("fingerprint"));
        assertThat(fieldNames(resolved)).containsExactlyInAnyOrderElementsOf(fieldNames(firing));
    }

    @Test
    void nonFiniteNumbersAreNullNotInvalidJson() throws Exception {
        JsonNode json =
                parse(
                        AlertJson.toJson(
                                alert(AlertState.FIRING, "*")
                                        .setValue(Double.POSITIVE_INFINITY)
                                        .build()));
        assertThat(json.get("value").isNull()).isTrue();
        assertThat(json.get("threshold").asDouble()).isEqualTo(0.85);
    }

    @Test
    void kafkaRecordIsKeyedByFingerprintAtTheEventTime() throws Exception {
        Alert alert = alert(AlertState.FIRING, "country=BR").build();
        ProducerRecord<byte[], byte[]> record =
                AlertJson.kafkaSerializer("fraud.alerts").serialize(alert, null, 123L);

        assertThat(record.topic()).isEqualTo("fraud.alerts");
        assertThat(new String(record.key(), StandardCharsets.UTF_8))
                .isEqualTo(sha256Prefix("fraud\0auc-low\0country=BR"));
        assertThat(record.timestamp())
                .isEqualTo(Instant.parse("2026-11-21T06:30:00.250Z").toEpochMilli());
        assertThat(parse(record.value())).isEqualTo(parse(AlertJson.toJson(alert)));
        assertThat(new AlertJson().serialize(alert)).isEqualTo(AlertJson.toJson(alert));
    }

    /** The first 8 bytes of SHA-256, in hex. */
    static String sha256Prefix(String s) throws Exception {
        byte[] hash =
                MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash).substring(0, 16);
    }
}
