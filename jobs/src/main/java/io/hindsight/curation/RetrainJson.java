package io.hindsight.curation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The JSON of the retrain topic, one object per event (the curation README documents each field):
 *
 * <pre>{@code
 * {"version": 1, "id": "…uuid…", "application": "fraud", "trigger": "enough-labels",
 *  "reason": "…", "fired_at": "2026-03-02T00:00:00Z",
 *  "dataset": {"table": "hindsight.fraud_curated_wrong_br", "tag": "fraud-wrong_br-2026-03-01"}}
 * }</pre>
 */
public final class RetrainJson {

    /** Raised when the shape changes incompatibly. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RetrainJson() {}

    public static byte[] toJson(RetrainEvent e) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.put("id", e.id);
        root.put("application", e.application);
        root.put("trigger", e.trigger);
        root.put("reason", e.reason);
        root.put("fired_at", Instant.ofEpochMilli(e.firedAt).toString());
        if (e.datasetTable == null) {
            root.putNull("dataset");
        } else {
            ObjectNode dataset = root.putObject("dataset");
            dataset.put("table", e.datasetTable);
            dataset.put("tag", e.datasetTag);
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write retrain JSON for " + e.trigger, ex);
        }
    }

    /** Key = the event id (a compacted topic keeps each event once), timestamp = fired_at. */
    public static KafkaRecordSerializationSchema<RetrainEvent> kafkaSerializer(String topic) {
        return (KafkaRecordSerializationSchema<RetrainEvent>)
                (e, context, timestamp) ->
                        new ProducerRecord<>(
                                topic,
                                null,
                                e.firedAt,
                                e.id.getBytes(StandardCharsets.UTF_8),
                                toJson(e));
    }
}
