package io.hindsight.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers Hindsight's alerts to Alertmanager: reads the alerts topic ({@code read_committed}, the
 * JSON of {@link AlertJson}) and posts each alert to {@code POST /api/v2/alerts} with its labels,
 * annotations, {@code startsAt}/{@code endsAt} and a {@code generatorURL}.
 *
 * <p>A separate command, not a Flink sink, because a sink sees records before their checkpoint
 * commits: after a failure it would have posted alerts that the restored job then takes back (and
 * posts again), while the topic, written transactionally, holds each state change exactly once only
 * once committed. Reading it {@code read_committed} posts committed changes only, and the bridge
 * can restart, or be upgraded, independently of the job's savepoints.
 *
 * <p>Idempotent by construction, so a restart neither duplicates nor loses an alert: Alertmanager
 * identifies an alert by its label set, so posting the same alert again updates it instead of
 * adding one. The bridge keeps no offsets: on start it reads the topic from the beginning (it is
 * small and, keyed by fingerprint, may be compacted), keeping the latest record per fingerprint,
 * posts that state, then follows the topic and posts every new record. It re-posts every firing
 * alert each {@code repostInterval}, because Alertmanager resolves an alert it has not heard of for
 * its {@code resolve_timeout} (5 min by default). A resolved record is posted with the {@code
 * startsAt} of the firing one it ends, when the topic still has it.
 */
public final class AlertmanagerBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerBridge.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final URI alertsEndpoint;
    private final String generatorUrl;
    private final Duration repostInterval;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The latest record of every alert, by fingerprint, in first-seen order. */
    private final Map<String, JsonNode> latest = new LinkedHashMap<>();

    /** {@code startsAt} of each alert's latest firing record, for its resolve. */
    private final Map<String, String> firedAt = new LinkedHashMap<>();

    private long posted;

    /**
     * @param kafka client properties (bootstrap servers, security); the bridge adds its own
     *     deserializers and {@code isolation.level=read_committed}
     * @param topic the alerts topic
     * @param alertmanager Alertmanager's base URL, e.g. {@code http://alertmanager:9093/}
     * @param generatorUrl where a person paged finds more (a dashboard, the Flink UI); the alert's
     *     fingerprint is appended as the query parameter {@code fingerprint}
     * @param repostInterval how often firing alerts are posted again; below Alertmanager's {@code
     *     resolve_timeout}
     */
    public AlertmanagerBridge(
            Properties kafka,
            String topic,
            URI alertmanager,
            String generatorUrl,
            Duration repostInterval) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.alertsEndpoint = alertmanager.resolve("api/v2/alerts");
        this.generatorUrl = generatorUrl;
        this.repostInterval = repostInterval;
    }

    /** Alerts posted so far (each alert of a batch counts once). */
    public long posted() {
        return posted;
    }

    /**
     * Reads the topic from the beginning, posts the state it holds, then follows the topic until
     * {@code keepGoing} returns false, posting every new record and re-posting firing alerts.
     *
     * @throws IOException if Alertmanager is unreachable or does not accept a post
     * @throws IllegalArgumentException if a record is not alert JSON of {@link AlertJson#VERSION}
     */
    public void run(BooleanSupplier keepGoing) throws IOException, InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("alerts topic '" + topic + "' does not exist");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        // Catch up first: the topic's current state, posted as one batch.
        while (!caughtUp(ends)) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                take(r);
            }
        }
        post(latest.values());
        long nextRepost = System.nanoTime() + repostInterval.toNanos();
        while (keepGoing.getAsBoolean()) {
            Map<String, JsonNode> changed = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                JsonNode alert = take(r);
                changed.put(alert.get("fingerprint").asText(), alert);
            }
            post(changed.values());
            if (System.nanoTime() - nextRepost >= 0) {
                List<JsonNode> firing = new ArrayList<>();
                for (JsonNode a : latest.values()) {
                    if ("firing".equals(a.get("status").asText())) {
                        firing.add(a);
                    }
                }
                post(firing);
                nextRepost = System.nanoTime() + repostInterval.toNanos();
            }
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    JsonNode take(ConsumerRecord<byte[], byte[]> r) {
        JsonNode alert = parse(r);
        String fingerprint = alert.get("fingerprint").asText();
        if ("firing".equals(alert.get("status").asText())) {
            firedAt.put(fingerprint, alert.get("startsAt").asText());
        }
        latest.put(fingerprint, alert);
        return alert;
    }

    /** Checks one record of the alerts topic; the error names the record. */
    static JsonNode parse(ConsumerRecord<byte[], byte[]> r) {
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        JsonNode alert;
        try {
            alert = MAPPER.readTree(r.value());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "alerts topic record " + where + " is not JSON: " + e.getMessage(), e);
        }
        return check(alert, where);
    }

    static JsonNode check(JsonNode alert, String where) {
        if (alert == null || !alert.isObject()) {
            throw new IllegalArgumentException(
                    "alerts topic record " + where + " is not a JSON object");
        }
        int version = alert.path("version").asInt(-1);
        if (version != AlertJson.VERSION) {
            throw new IllegalArgumentException(
                    "alerts topic record "
                            + where
                            + " has version "
                            + alert.path("version")
                            + "; this bridge reads version "
                            + AlertJson.VERSION);
        }
        for (String field : List.of("fingerprint", "status", "labels", "annotations")) {
            if (alert.path(field).isMissingNode() || alert.path(field).isNull()) {
                throw new IllegalArgumentException(
                        "alerts topic record " + where + " has no '" + field + "'");
            }
        }
        String status = alert.get("status").asText();
        String time = "firing".equals(status) ? "startsAt" : "endsAt";
        if (!"firing".equals(status) && !"resolved".equals(status)) {
            throw new IllegalArgumentException(
                    "alerts topic record "
                            + where
                            + " has status '"
                            + status
                            + "'; expected 'firing' or 'resolved'");
        }
        if (!alert.path(time).isTextual()) {
            throw new IllegalArgumentException(
                    "alerts topic record " + where + " is " + status + " without '" + time + "'");
        }
        return alert;
    }

    /** The body of {@code POST /api/v2/alerts} for these alerts. */
    ArrayNode toAlertmanager(Collection<JsonNode> alerts) {
        ArrayNode body = MAPPER.createArrayNode();
        for (JsonNode a : alerts) {
            String fingerprint = a.get("fingerprint").asText();
            ObjectNode out = body.addObject();
            out.set("labels", a.get("labels"));
            out.set("annotations", a.get("annotations"));
            if ("firing".equals(a.get("status").asText())) {
                // No endsAt: Alertmanager keeps it firing for resolve_timeout past each post.
                out.put("startsAt", a.get("startsAt").asText());
            } else {
                String started = firedAt.get(fingerprint);
                if (started != null) {
                    out.put("startsAt", started);
                }
                out.put("endsAt", a.get("endsAt").asText());
            }
            out.put(
                    "generatorURL",
                    generatorUrl
                            + (generatorUrl.contains("?") ? "&" : "?")
                            + "fingerprint="
                            + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8));
        }
        return body;
    }

    void post(Collection<JsonNode> alerts) throws IOException, InterruptedException {
        if (alerts.isEmpty()) {
            return;
        }
        String body;
        try {
            body = MAPPER.writeValueAsString(toAlertmanager(alerts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write Alertmanager JSON", e);
        }
        HttpRequest request =
                HttpRequest.newBuilder(alertsEndpoint)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
        // No retry here: a failure ends the bridge with the error, and whatever restarts it (a
        // Deployment, systemd) loses nothing, since a new bridge posts the topic's whole state.
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException(
                    "Alertmanager at " + alertsEndpoint + " unreachable: " + e.getMessage(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "Alertmanager at "
                            + alertsEndpoint
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        posted += alerts.size();
        LOG.debug("posted {} alerts to {}", alerts.size(), alertsEndpoint);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(10));
    }

    /**
     * {@code AlertmanagerBridge SPEC ALERTMANAGER_URL [GENERATOR_URL]}: follows the spec's alerts
     * topic (with the spec's Kafka settings) until stopped, re-posting firing alerts every minute.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: AlertmanagerBridge SPEC ALERTMANAGER_URL [GENERATOR_URL]");
            System.exit(2);
        }
        JobSpec spec = SpecLoader.load(Path.of(args[0]), System.getenv());
        URI alertmanager = URI.create(args[1].endsWith("/") ? args[1] : args[1] + "/");
        String generator = args.length == 3 ? args[2] : "http://localhost:8081/";
        try (AlertmanagerBridge bridge =
                new AlertmanagerBridge(
                        KafkaConnections.clientProperties(spec.kafka()),
                        spec.outputs().alertsTopic(),
                        alertmanager,
                        generator,
                        Duration.ofMinutes(1))) {
            bridge.run(() -> !Thread.currentThread().isInterrupted());
        }
    }
}
