package io.hindsight.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ResourceManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.RpcOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The configuration keys Flink 2.1 knows, read from its own option classes, so that a typo in
 * flink-conf/ or k8s/ (which Flink would silently ignore) fails a test instead.
 */
final class FlinkOptionKeys {

    /** The option classes whose keys a Hindsight cluster may set. */
    static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    BlobServerOptions.class,
                    CheckpointingOptions.class,
                    ClusterOptions.class,
                    CoreOptions.class,
                    ExecutionOptions.class,
                    HeartbeatManagerOptions.class,
                    HighAvailabilityOptions.class,
                    JobManagerOptions.class,
                    MetricOptions.class,
                    NettyShuffleEnvironmentOptions.class,
                    PipelineOptions.class,
                    ResourceManagerOptions.class,
                    RestOptions.class,
                    RestartStrategyOptions.class,
                    RocksDBConfigurableOptions.class,
                    RocksDBOptions.class,
                    RpcOptions.class,
                    SecurityOptions.class,
                    StateBackendOptions.class,
                    StateRecoveryOptions.class,
                    TaskManagerOptions.class,
                    WebOptions.class);

    /**
     * Options of the Prometheus reporter that are not ConfigOptions of a class on this classpath:
     * flink-metrics-prometheus is a plugin of the distribution (and not published for 2.1.x), and
     * reads {@code port} as a plain property (PrometheusReporterFactory.ARG_PORT).
     */
    static final Set<String> PROMETHEUS_REPORTER_SUFFIXES = Set.of("port");

    private static final Pattern REPORTER_KEY =
            Pattern.compile("metrics\\.reporter\\.([^.]+)\\.(.+)");

    private FlinkOptionKeys() {}

    /** Every key and fallback key (deprecated or not) of {@link #OPTION_CLASSES}. */
    static Set<String> known() {
        Set<String> keys = new TreeSet<>();
        for (ConfigOption<?> option : options()) {
            keys.add(option.key());
            for (FallbackKey fallback : option.fallbackKeys()) {
                keys.add(fallback.getKey());
            }
        }
        return keys;
    }

    /**
     * Suffixes a {@code metrics.reporter.<name>.} key may have: MetricOptions declares them as keys
     * without the {@code metrics.} prefix (factory.class, interval, scope.*, filter.*).
     */
    static Set<String> reporterSuffixes() {
        Set<String> suffixes = new TreeSet<>();
        for (ConfigOption<?> option : options(MetricOptions.class)) {
            if (!option.key().startsWith("metrics.")) {
                suffixes.add(option.key());
            }
        }
        return suffixes;
    }

    /**
     * The keys of {@code keys} that Flink does not know. A reporter key must name a reporter listed
     * in {@code metrics.reporters} and end with a suffix reporters accept.
     */
    static List<String> unknown(Set<String> keys, String reporters) {
        Set<String> known = known();
        Set<String> suffixes = reporterSuffixes();
        suffixes.addAll(PROMETHEUS_REPORTER_SUFFIXES);
        List<String> listed =
                reporters == null ? List.of() : Arrays.asList(reporters.split("\\s*[,;]\\s*"));
        List<String> unknown = new ArrayList<>();
        for (String key : keys) {
            Matcher m = REPORTER_KEY.matcher(key);
            boolean ok =
                    m.matches()
                            ? listed.contains(m.group(1)) && suffixes.contains(m.group(2))
                            : known.contains(key);
            if (!ok) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /** The JVM flags every Hindsight JVM gets: the root pom's {@code hindsight.jvm.flags}. */
    static List<String> pomJvmFlags(Path root) throws Exception {
        String pom = Files.readString(root.resolve("pom.xml"));
        Matcher m =
                Pattern.compile("<hindsight\\.jvm\\.flags>(.*?)</hindsight\\.jvm\\.flags>")
                        .matcher(pom);
        if (!m.find()) {
            throw new AssertionError("pom.xml has no <hindsight.jvm.flags> property");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** The repository root, which the build passes to tests as {@code hindsight.home}. */
    static Path root() {
        String home = System.getProperty("hindsight.home");
        if (home == null) {
            throw new IllegalStateException(
                    "system property hindsight.home is not set (the Maven build sets it)");
        }
        return Path.of(home);
    }

    private static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Class<?> c : OPTION_CLASSES) {
            options.addAll(options(c));
        }
        return options;
    }

    /** The public static ConfigOption fields of {@code c}. */
    private static List<ConfigOption<?>> options(Class<?> c) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    options.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        return options;
    }
}
