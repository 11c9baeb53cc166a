package io.hindsight.curation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The retrain topic's JSON, word for word as the curation README documents it. */
class RetrainJsonTest {

    @Test
    void theDocumentedShape() {
        RetrainEvent e =
                new RetrainEvent(
                        "0f4e6c1a-8d43-3b8e-9f66-2b1d9c7f0a55",
                        "fraud",
                        "enough_labels",
                        "curated dataset 'wrong_br' reached 1000 labelled rows",
                        Instant.parse("2026-03-02T00:00:00Z").toEpochMilli() - 1,
                        "hindsight.fraud_curated_wrong_br",
                        "fraud-wrong_br-2026-03-01");

        assertThat(new String(RetrainJson.toJson(e), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"version\":1,\"id\":\"0f4e6c1a-8d43-3b8e-9f66-2b1d9c7f0a55\","
                                + "\"application\":\"fraud\",\"trigger\":\"enough_labels\","
                                + "\"reason\":\"curated dataset 'wrong_br' reached 1000 labelled"
                                + " rows\",\"fired_at\":\"2026-03-01T23:59:59.999Z\","
                                + "\"dataset\":{\"table\":\"hindsight.fraud_curated_wrong_br\","
                                + "\"tag\":\"fraud-wrong_br-2026-03-01\"}}");
    }

    @Test
    void withoutADatasetTheFieldIsNull() {
        RetrainEvent e = new RetrainEvent("id", "fraud", "t", "r", 0, null, null);
        assertThat(new String(RetrainJson.toJson(e), StandardCharsets.UTF_8))
                .endsWith(",\"fired_at\":\"1970-01-01T00:00:00Z\",\"dataset\":null}");
    }
}
