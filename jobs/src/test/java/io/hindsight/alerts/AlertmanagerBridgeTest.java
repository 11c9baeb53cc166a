package io.hindsight.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.hindsight.schemas.AlertState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The bridge's mapping of the alerts topic's JSON to Alertmanager's API, and its errors. */
class AlertmanagerBridgeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ConsumerRecord<byte[], byte[]> record(String json) {
        return new ConsumerRecord<>(
                "fraud.alerts", 0, 17, null, json.getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode json(AlertState state) throws Exception {
        return (ObjectNode)
                MAPPER.readTree(AlertJson.toJson(AlertJsonTest.alert(state, "country=BR").build()));
    }

    private static AlertmanagerBridge bridge(URI alertmanager) {
        Properties kafka = new Properties();
        // Never contacted: these tests use neither run() nor the consumer.
        kafka.setProperty("bootstrap.servers", "127.0.0.1:1");
        return new AlertmanagerBridge(
                kafka,
                "fraud.alerts",
                alertmanager,
                "https://grafana/d/hindsight",
                Duration.ofMinutes(1));
    }

    @Test
    void firingAndResolvedBecomeAlertmanagerAlerts() throws Exception {
        ObjectNode firing = json(AlertState.FIRING);
        ObjectNode resolved = json(AlertState.RESOLVED);
        try (AlertmanagerBridge bridge = bridge(URI.create("http://127.0.0.1:1/"))) {
            ArrayNode before = bridge.toAlertmanager(List.of(resolved));
            assertThat(before.get(0).has("startsAt"))
                    .as("a resolve whose firing record the bridge never saw")
                    .isFalse();
            // The bridge keeps the startsAt of each firing record it reads, for the resolve.
            JsonNode parsed = bridge.take(record(firing.toString()));
            ArrayNode body = bridge.toAlertmanager(List.of(parsed));
            JsonNode a = body.get(0);
            assertThat(a.get("labels")).isEqualTo(firing.get("labels"));
            assertThat(a.get("annotations")).isEqualTo(firing.get("annotations"));
            assertThat(a.get("startsAt").asText()).isEqualTo("2026-11-21T06:30:00.250Z");
            assertThat(a.has("endsAt")).isFalse();
            assertThat(a.get("generatorURL").asText())
                    .isEqualTo(
                            "https://grafana/d/hindsight?fingerprint="
                                    + firing.get("fingerprint").asText());
            List<String> fields = new java.util.ArrayList<>();
            a.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("labels", "annotations", "startsAt", "generatorURL");

            JsonNode r = bridge.toAlertmanager(List.of(resolved)).get(0);
            assertThat(r.get("labels")).isEqualTo(resolved.get("labels"));
            assertThat(r.get("startsAt").asText()).isEqualTo("2026-11-21T06:30:00.250Z");
            assertThat(r.get("endsAt").asText()).isEqualTo("2026-11-21T06:30:00.250Z");
        }
    }

    @Test
    void recordsThatAreNotAlertJsonAreRefusedNamingTheRecord() throws Exception {
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record("[1, 2]")))
                .hasMessage("alerts topic record fraud.alerts-0@17 is not a JSON object");
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record("{\"version\": 1,")))
                .hasMessageStartingWith("alerts topic record fraud.alerts-0@17 is not JSON: ");
        ObjectNode v2 = json(AlertState.FIRING).put("version", 2);
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record(v2.toString())))
                .hasMessage(
                        "alerts topic record fraud.alerts-0@17 has version 2; this bridge reads"
                                + " version 1");
        ObjectNode noLabels = json(AlertState.FIRING);
        noLabels.remove("labels");
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record(noLabels.toString())))
                .hasMessage("alerts topic record fraud.alerts-0@17 has no 'labels'");
        ObjectNode pending = json(AlertState.FIRING).put("status", "pending");
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record(pending.toString())))
                .hasMessage(
                        "alerts topic record fraud.alerts-0@17 has status 'pending'; expected"
                                + " 'firing' or 'resolved'");
        ObjectNode noStart = json(AlertState.FIRING);
        noStart.putNull("startsAt");
        assertThatThrownBy(() -> AlertmanagerBridge.parse(record(noStart.toString())))
                .hasMessage("alerts topic record fraud.alerts-0@17 is firing without 'startsAt'");
    }

    @Test
    void anAlertmanagerThatRefusesThePostEndsTheBridgeWithItsAnswer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/api/v2/alerts",
                exchange -> {
                    byte[] answer = "{\"message\":\"bad alert\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(400, answer.length);
                    exchange.getResponseBody().write(answer);
                    exchange.close();
                });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        try (AlertmanagerBridge bridge = bridge(base)) {
            JsonNode alert = AlertmanagerBridge.parse(record(json(AlertState.FIRING).toString()));
            assertThatThrownBy(() -> bridge.post(List.of(alert)))
                    .hasMessage(
                            "Alertmanager at "
                                    + base
                                    + "api/v2/alerts answered 400: {\"message\":\"bad alert\"}");
            assertThat(bridge.posted()).isZero();
        } finally {
            server.stop(0);
        }
    }
}
