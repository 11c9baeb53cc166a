package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hindsight.alerts.AlertJson;
import io.hindsight.alerts.AlertmanagerBridge;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AlertmanagerBridge} against a real Alertmanager (Debian's {@code prometheus-alertmanager})
 * whose webhook receiver is this test: alerts written to the alerts topic as the job writes them
 * ({@link AlertJson#kafkaSerializer}, in Kafka transactions, one of them aborted) show up firing,
 * resolve when their resolved record comes, and a restart of the bridge between two batches of
 * records neither duplicates a notification nor loses an alert.
 */
class AlertmanagerBridgeITCase {

    private static final String TOPIC = "fraud.alerts";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir Path dir;

    /** Webhook notifications received: (Alertmanager fingerprint of labels, status) in order. */
    private final List<String> notifications = new CopyOnWriteArrayList<>();

    @Test
    void firingAlertsShowUpResolvedOnesResolveAndARestartDuplicatesNothing() throws Exception {
        Path binary =
                DebianServer.installed(
                        "prometheus-alertmanager", Path.of("/usr/bin/prometheus-alertmanager"));
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext(
                "/hook",
                exchange -> {
                    JsonNode body = MAPPER.readTree(exchange.getRequestBody());
                    for (JsonNode a : body.get("alerts")) {
                        notifications.add(
                                a.get("labels").get("subject").asText()
                                        + " "
                                        + a.get("status").asText());
                    }
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        webhook.start();
        ExecutorService bridges = Executors.newSingleThreadExecutor();
        KafkaBrokerProcess broker = null;
        DebianServer alertmanager = null;
        try {
            broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
            broker.createTopics(Map.of(TOPIC, 2));
            alertmanager = startAlertmanager(binary, webhook.getAddress().getPort());

            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant fired = now.minus(Duration.ofMinutes(30));
            try (KafkaProducer<byte[], byte[]> producer = producer(broker, "alerts-1")) {
                send(producer, List.of(alert("BR", AlertState.FIRING, fired)), true);
                send(
                        producer,
                        List.of(
                                alert("US", AlertState.FIRING, fired),
                                alert("DE", AlertState.FIRING, fired),
                                alert("DE", AlertState.RESOLVED, now.minusSeconds(600))),
                        true);
                // An aborted transaction: the job's write before a crash, never committed.
                send(producer, List.of(alert("FR", AlertState.FIRING, fired)), false);
            }

            // First bridge: the topic's state is BR and US firing, DE resolved.
            AtomicBoolean first = new AtomicBoolean(true);
            Future<?> run1 = bridges.submit(bridgeRun(broker, alertmanager, first));
            DebianServer am = alertmanager;
            Await.until(
                    "BR and US active in Alertmanager",
                    Duration.ofSeconds(60),
                    () -> active(am).keySet().equals(new TreeSet<>(List.of("BR", "US"))));
            Await.until(
                    "BR and US notified",
                    Duration.ofSeconds(60),
                    () -> notifications.containsAll(List.of("BR firing", "US firing")));
            JsonNode br = active(am).get("BR");
            assertThat(Instant.parse(br.get("startsAt").asText())).isEqualTo(fired);
            assertThat(br.get("generatorURL").asText())
                    .isEqualTo(
                            "http://localhost:8081/?fingerprint="
                                    + AlertJson.fingerprint(alert("BR", AlertState.FIRING, fired)));
            assertThat(br.get("labels").get("alertname").asText()).isEqualTo("auc-low");
            assertThat(br.get("labels").get("severity").asText()).isEqualTo("critical");
            assertThat(br.get("annotations").get("summary").asText())
                    .isEqualTo("AUC of fraud on slice country=BR is 0.71, below 0.85.");

            // Stop it (as a crash would: no state is handed over), then the job writes more.
            first.set(false);
            run1.get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = producer(broker, "alerts-2")) {
                send(
                        producer,
                        List.of(
                                alert("US", AlertState.RESOLVED, now.minusSeconds(60)),
                                alert("JP", AlertState.FIRING, now.minusSeconds(60))),
                        true);
            }

            // Second bridge, from scratch: reads the whole topic again and re-posts BR.
            AtomicBoolean second = new AtomicBoolean(true);
            Future<?> run2 = bridges.submit(bridgeRun(broker, alertmanager, second));
            Await.until(
                    "BR and JP active, US resolved",
                    Duration.ofSeconds(60),
                    () -> active(am).keySet().equals(new TreeSet<>(List.of("BR", "JP"))));
            Await.until(
                    "US resolved and JP firing notified",
                    Duration.ofSeconds(60),
                    () -> notifications.containsAll(List.of("US resolved", "JP firing")));
            // Re-posts (every second, BR and JP each time) and the restart's full re-post must
            // stay silent: wait for two more repost rounds to have reached Alertmanager, then
            // count.
            long postedBefore = postedBy.get();
            Await.until(
                    "two re-posts",
                    Duration.ofSeconds(30),
                    () -> postedBy.get() >= postedBefore + 4);
            second.set(false);
            run2.get(30, TimeUnit.SECONDS);

            Map<String, Long> counts = new TreeMap<>();
            for (String n : notifications) {
                counts.merge(n, 1L, Long::sum);
            }
            assertThat(counts)
                    .as("each firing and each resolve notified exactly once; FR never")
                    .isEqualTo(
                            Map.of(
                                    "BR firing", 1L,
                                    "US firing", 1L,
                                    "US resolved", 1L,
                                    "JP firing", 1L));
            assertThat(active(am).keySet()).containsExactly("BR", "JP");
        } finally {
            bridges.shutdownNow();
            bridges.awaitTermination(30, TimeUnit.SECONDS);
            try {
                if (alertmanager != null) {
                    alertmanager.close();
                }
            } finally {
                try {
                    if (broker != null) {
                        broker.close();
                    }
                } finally {
                    webhook.stop(0);
                }
            }
        }
    }

    /** Alerts the bridge's posts carried, over both runs (the repost rounds included). */
    private final java.util.concurrent.atomic.AtomicLong postedBy =
            new java.util.concurrent.atomic.AtomicLong();

    private Runnable bridgeRun(
            KafkaBrokerProcess broker, DebianServer alertmanager, AtomicBoolean keepGoing) {
        Properties kafka = new Properties();
        kafka.setProperty("bootstrap.servers", broker.bootstrapServers());
        return () -> {
            try (AlertmanagerBridge bridge =
                    new AlertmanagerBridge(
                            kafka,
                            TOPIC,
                            alertmanager.base(),
                            "http://localhost:8081/",
                            Duration.ofSeconds(1))) {
                long[] seen = {0};
                bridge.run(
                        () -> {
                            postedBy.addAndGet(bridge.posted() - seen[0]);
                            seen[0] = bridge.posted();
                            return keepGoing.get();
                        });
            } catch (Exception e) {
                throw new IllegalStateException("bridge failed", e);
            }
        };
    }

    /** Active (firing, not resolved) alerts in Alertmanager, by subject. */
    private static Map<String, JsonNode> active(DebianServer alertmanager) throws Exception {
        var response = alertmanager.get("api/v2/alerts?active=true&silenced=false&inhibited=false");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, JsonNode> bySubject = new TreeMap<>();
        for (JsonNode a : MAPPER.readTree(response.body())) {
            JsonNode previous = bySubject.put(a.get("labels").get("subject").asText(), a);
            assertThat(previous).as("one alert per subject").isNull();
        }
        return bySubject;
    }

    private DebianServer startAlertmanager(Path binary, int webhookPort) throws Exception {
        Path config = dir.resolve("alertmanager.yml");
        // Every label set its own group, notified at once; a repeat only after an hour, so any
        // second notification of an alert within the test is a duplicate.
        Files.writeString(
                config,
                """
                route:
                  receiver: test
                  group_by: ['...']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: test
                    webhook_configs:
                      - url: http://127.0.0.1:%d/hook
                        send_resolved: true
                """
                        .formatted(webhookPort));
        int port = DebianServer.freePort();
        return DebianServer.start(
                "alertmanager",
                List.of(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("alertmanager-data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address="),
                dir.resolve("alertmanager.log"),
                URI.create("http://127.0.0.1:" + port + "/"));
    }

    private static KafkaProducer<byte[], byte[]> producer(
            KafkaBrokerProcess broker, String transactionalId) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, List<Alert> alerts, boolean commit)
            throws Exception {
        var serializer = AlertJson.kafkaSerializer(TOPIC);
        producer.beginTransaction();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Alert a : alerts) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            producer.send(
                    serializer.serialize(a, null, null),
                    (metadata, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else {
                            done.complete(null);
                        }
                    });
            sent.add(done);
        }
        producer.flush();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static Alert alert(String country, AlertState state, Instant at) {
        return Alert.newBuilder()
                .setApplication("fraud")
                .setRule("auc-low")
                .setSeverity("critical")
                .setState(state)
                .setSource("metrics")
                .setSubject(country)
                .setMeasure("auc")
                .setValue(state == AlertState.FIRING ? 0.71 : 0.9)
                .setCondition("below 0.85")
                .setThreshold(0.85)
                .setSupport(812)
                .setWindowStart(at.minus(Duration.ofDays(1)))
                .setWindowEnd(at)
                .setEventTime(at)
                .setMessage(
                        "AUC of fraud on slice country="
                                + country
                                + " is "
                                + (state == AlertState.FIRING
                                        ? "0.71, below"
                                        : "0.9, no longer below")
                                + " 0.85.")
                .build();
    }
}
