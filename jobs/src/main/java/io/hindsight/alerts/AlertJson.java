package io.hindsight.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The JSON of the alerts topic: one object per state change, shaped like an entry of Alertmanager's
 * webhook {@code alerts[]} ({@code status}, {@code labels}, {@code annotations}, {@code startsAt},
 * {@code endsAt}, {@code fingerprint}) plus the typed numbers. The jobs README ("Alerts", "The JSON
 * on the alerts topic") documents every field.
 */
public final class AlertJson implements SerializationSchema<Alert> {

    private static final long serialVersionUID = 1L;

    /** Raised when the shape changes incompatibly; a bridge checks it. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public byte[] serialize(Alert alert) {
        return toJson(alert);
    }

    /** The alert as UTF-8 JSON. */
    public static byte[] toJson(Alert alert) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.put("fingerprint", fingerprint(alert));
        boolean firing = alert.getState() == AlertState.FIRING;
        root.put("status", firing ? "firing" : "resolved");

        ObjectNode labels = root.putObject("labels");
        labels.put("alertname", alert.getRule());
        labels.put("application", alert.getApplication());
        labels.put("severity", alert.getSeverity());
        labels.put("source", alert.getSource());
        labels.put("subject", alert.getSubject());
        labels.put("measure", alert.getMeasure());

        ObjectNode annotations = root.putObject("annotations");
        annotations.put("summary", alert.getMessage());
        annotations.put("condition", alert.getCondition());

        String at = iso(alert.getEventTime());
        if (firing) {
            root.put("startsAt", at);
            root.putNull("endsAt");
        } else {
            root.putNull("startsAt");
            root.put("endsAt", at);
        }
        root.put("eventTime", at);
        Double value = alert.getValue();
        if (value == null || !Double.isFinite(value)) {
            root.putNull("value"); // JSON has no NaN or infinity; the summary spells it out
        } else {
            root.put("value", value);
        }
        if (Double.isFinite(alert.getThreshold())) {
            root.put("threshold", alert.getThreshold());
        } else {
            root.putNull("threshold");
        }
        root.put("support", alert.getSupport());
        root.put("windowStart", iso(alert.getWindowStart()));
        root.put("windowEnd", iso(alert.getWindowEnd()));
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write alert JSON for " + alert.getRule(), e);
        }
    }

    /**
     * Stable identity of (application, rule, subject): the first 16 hex digits of the SHA-256 of
     * the three joined by NUL. The same for FIRING and RESOLVED of one alert, and the Kafka key.
     */
    public static String fingerprint(Alert alert) {
        String identity =
                alert.getApplication() + '\u0000' + alert.getRule() + '\u0000' + alert.getSubject();
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * A Kafka record serializer for the alerts topic: key = the fingerprint (a compacted topic then
     * keeps each alert's latest state), value = {@link #toJson}, record timestamp = the alert's
     * event time.
     */
    public static KafkaRecordSerializationSchema<Alert> kafkaSerializer(String topic) {
        return new KafkaSerializer(topic);
    }

    private static String iso(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    private static final class KafkaSerializer implements KafkaRecordSerializationSchema<Alert> {

        private static final long serialVersionUID = 1L;

        private final String topic;

        KafkaSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Alert alert, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    null,
                    alert.getEventTime().toEpochMilli(),
                    fingerprint(alert).getBytes(StandardCharsets.UTF_8),
                    toJson(alert));
        }
    }
}
