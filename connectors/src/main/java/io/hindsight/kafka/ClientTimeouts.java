package io.hindsight.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Timeouts and retries for the Kafka producers and admin clients of the demo, the simulator and the
 * tests, sized for a broker that is slow at times: a loaded 2-core machine where the broker's JVM
 * waits for CPU behind builds, or a real deployment's Kafka during a rebalance or a disk stall.
 *
 * <p>Kafka's defaults give a record 2 minutes from the moment its batch is created until it must be
 * acknowledged ({@code delivery.timeout.ms}), and that time includes the wait in the producer's
 * buffer. A producer that may buffer 64 MB ahead of a broker taking a few hundred KB a second
 * therefore expires its last batches ({@code Expiring 16 record(s) ... 120001 ms has passed since
 * batch creation}) although nothing failed. So the buffer is bounded (a fast writer blocks in
 * {@code send}, up to {@link #MAX_BLOCK}, instead of queueing minutes of records), each request may
 * take {@link #REQUEST_TIMEOUT}, and a record has {@link #DELIVERY_TIMEOUT}, retried with backoff
 * (idempotence keeps the retries free of duplicates). Admin calls get the same request timeout and
 * {@link #API_TIMEOUT} in all, retried with backoff.
 *
 * <p>Settings already present in the given properties win: a team's own tuning is kept.
 */
public final class ClientTimeouts {

    /** One request to the broker: produce, metadata, an admin call. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** A record's whole life in the producer, buffering and retries included. */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(5);

    /** How long {@code send} may block on a full buffer or on missing metadata. */
    public static final Duration MAX_BLOCK = Duration.ofMinutes(5);

    /** An admin call in all, its retries included. */
    public static final Duration API_TIMEOUT = Duration.ofMinutes(3);

    /** The producer's buffer: a few seconds of a slow broker's throughput, not minutes. */
    public static final long BUFFER_MEMORY = 8L * 1024 * 1024;

    private static final Duration RETRY_BACKOFF = Duration.ofMillis(200);
    private static final Duration RETRY_BACKOFF_MAX = Duration.ofSeconds(5);

    private ClientTimeouts() {}

    /** {@code props} plus the producer settings above where {@code props} has none. */
    public static Properties producer(Properties props) {
        Properties p = copy(props);
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(REQUEST_TIMEOUT));
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis(DELIVERY_TIMEOUT));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis(MAX_BLOCK));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(BUFFER_MEMORY));
        p.putIfAbsent(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
        backoff(p);
        return p;
    }

    /** {@code props} plus the admin settings above where {@code props} has none. */
    public static Properties admin(Properties props) {
        Properties p = copy(props);
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(REQUEST_TIMEOUT));
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(API_TIMEOUT));
        backoff(p);
        return p;
    }

    /** An admin client's properties for {@code bootstrapServers}. */
    public static Properties admin(String bootstrapServers) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return admin(p);
    }

    private static void backoff(Properties p) {
        p.putIfAbsent(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, millis(RETRY_BACKOFF));
        p.putIfAbsent(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, millis(RETRY_BACKOFF_MAX));
    }

    private static Properties copy(Properties props) {
        Properties p = new Properties();
        for (Map.Entry<Object, Object> e : props.entrySet()) {
            p.put(e.getKey(), e.getValue());
        }
        return p;
    }

    private static String millis(Duration d) {
        return String.valueOf(d.toMillis());
    }
}
