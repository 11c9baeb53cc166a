package io.hindsight.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ClientTimeoutsTest {

    @Test
    void aProducerGetsBoundedBufferingAndMinutesToDeliver() {
        Properties given = new Properties();
        given.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");

        Properties p = ClientTimeouts.producer(given);

        assertThat(p)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000")
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000")
                .containsEntry(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(8 << 20))
                .containsEntry(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE))
                .containsEntry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "200")
                .containsEntry(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "5000");
        // Kafka refuses a delivery timeout below linger + request timeout; ours leaves room.
        assertThat(ClientTimeouts.DELIVERY_TIMEOUT)
                .isGreaterThan(ClientTimeouts.REQUEST_TIMEOUT.multipliedBy(2));
        assertThat(given).hasSize(1);
    }

    @Test
    void aTeamsOwnSettingsWin() {
        Properties given = new Properties();
        given.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "900000");
        given.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1000");

        assertThat(ClientTimeouts.producer(given))
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "900000");
        assertThat(ClientTimeouts.admin(given))
                .containsEntry(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1000")
                .containsEntry(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
    }

    @Test
    void anAdminClientWaitsMinutesInAllForAnAnswer() {
        assertThat(ClientTimeouts.admin("broker:9092"))
                .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "180000")
                .containsEntry(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
    }
}
