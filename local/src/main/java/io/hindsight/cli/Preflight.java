package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryException;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.KafkaSpec;
import io.hindsight.spec.SpecSecrets;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Checks, before a job starts, that every service the spec names answers: the Kafka cluster, the
 * schema registry, the Iceberg catalog, the Flink cluster. A job started against an unreachable
 * service retries quietly for minutes; these checks say so on the terminal in one line, within the
 * stated timeout.
 */
final class Preflight {

    /** How long each check waits for an answer unless the caller says otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private Preflight() {}

    /**
     * The Kafka cluster answers a metadata request with the spec's client settings, and holds the
     * given topics (a source on a missing topic fails and restarts the job over and over).
     */
    static void kafka(KafkaSpec kafka, List<String> topics, Duration timeout) {
        String servers = SpecSecrets.maskUrl(kafka.bootstrapServers());
        Properties props = KafkaConnections.clientProperties(kafka);
        int ms = (int) timeout.toMillis();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 5000));
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms);
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            throw new UserError(
                    "Kafka client settings rejected ("
                            + Hindsight.oneLine(e)
                            + ") — check kafka.bootstrap-servers and kafka.properties",
                    e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms))
                    .nodes()
                    .get(ms + 1000L, TimeUnit.MILLISECONDS);
            Set<String> existing =
                    admin.listTopics(new ListTopicsOptions().timeoutMs(ms))
                            .names()
                            .get(ms + 1000L, TimeUnit.MILLISECONDS);
            List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new UserError(
                        "Kafka at "
                                + servers
                                + " has no topic "
                                + missing.stream()
                                        .map(t -> "'" + t + "'")
                                        .collect(Collectors.joining(", "))
                                + " — create it, or check inputs.predictions.topic and"
                                + " inputs.feedback.topic");
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException
                    || cause instanceof AuthorizationException) {
                throw new UserError(
                        "Kafka at "
                                + servers
                                + " refused the client ("
                                + Hindsight.oneLine(cause)
                                + ") — check kafka.properties (security.protocol, sasl.*, ssl.*)",
                        e);
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw notAnswering(servers, timeout, e);
            }
            throw new UserError(
                    "Kafka at " + servers + " failed the check: " + Hindsight.oneLine(cause), e);
        } catch (TimeoutException e) {
            throw notAnswering(servers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while checking Kafka at " + servers, e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private static UserError notAnswering(String servers, Duration timeout, Exception e) {
        return new UserError(
                "Kafka at "
                        + servers
                        + " did not answer within "
                        + seconds(timeout)
                        + " — check kafka.bootstrap-servers and that the brokers are reachable"
                        + " from here",
                e);
    }

    /**
     * The schema registry, if the spec names one, answers with the spec's credentials: asking for
     * the latest schema of the predictions' subject, an unknown subject is an answer too.
     */
    static void registry(KafkaSpec kafka, String subject, Duration timeout) {
        RegistryConfig configured;
        try {
            configured = KafkaConnections.registry(kafka);
        } catch (IllegalArgumentException e) {
            throw new UserError("kafka.schema-registry: " + e.getMessage(), e);
        }
        if (configured == null) {
            return;
        }
        Map<String, String> props = new HashMap<>(configured.properties());
        String ms = String.valueOf(timeout.toMillis());
        props.put(RegistryConfig.CONNECT_TIMEOUT_MS, ms);
        props.put(RegistryConfig.REQUEST_TIMEOUT_MS, ms);
        RegistryConfig config =
                new RegistryConfig(
                        configured.url(), configured.username(), configured.password(), props);
        String url = SpecSecrets.maskUrl(config.url());
        try {
            config.create().latest(subject);
        } catch (SchemaRegistryException e) {
            if (e.isConnectionFailure()) {
                throw new UserError(
                        SpecSecrets.maskUrl(e.getMessage())
                                + " (waited up to "
                                + seconds(timeout)
                                + ")",
                        e);
            }
            if (e.httpStatus() == 401 || e.httpStatus() == 403) {
                throw new UserError(
                        "schema registry at "
                                + url
                                + " refused the credentials (HTTP "
                                + e.httpStatus()
                                + ") — check kafka.schema-registry.username and password",
                        e);
            }
            if (e.httpStatus() != 404) {
                throw new UserError(
                        "schema registry at " + url + " failed the check: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The spec's Iceberg catalog loads and answers whether the spec's namespace exists (for a
     * catalog without namespaces: whether the predictions table exists).
     *
     * @return whether it exists
     */
    static boolean catalog(JobSpec spec, Duration timeout) {
        String name = spec.iceberg().catalogName();
        Map<String, String> props = spec.iceberg().catalogProperties();
        String where =
                "Iceberg catalog '"
                        + name
                        + "'"
                        + (props.containsKey("uri")
                                ? " at " + SpecSecrets.maskUrl(props.get("uri"))
                                : props.containsKey("warehouse")
                                        ? " (warehouse "
                                                + SpecSecrets.maskUrl(props.get("warehouse"))
                                                + ")"
                                        : "");
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "hindsight-catalog-check");
                            t.setDaemon(true);
                            return t;
                        });
        Future<Boolean> check =
                executor.submit(
                        () -> {
                            Catalog catalog = FeedbackJoinJob.catalog(spec).loadCatalog();
                            try {
                                Namespace namespace = Namespace.of(spec.iceberg().namespace());
                                if (catalog instanceof SupportsNamespaces namespaces) {
                                    return namespaces.namespaceExists(namespace);
                                }
                                return catalog.tableExists(
                                        TableIdentifier.of(
                                                namespace, spec.iceberg().tables().predictions()));
                            } finally {
                                if (catalog instanceof Closeable closeable) {
                                    closeable.close();
                                }
                            }
                        });
        try {
            return check.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            check.cancel(true);
            throw new UserError(
                    where
                            + " did not answer within "
                            + seconds(timeout)
                            + " — check iceberg.catalog (uri, warehouse) and that it is reachable"
                            + " from here",
                    e);
        } catch (ExecutionException e) {
            throw new UserError(
                    where
                            + " failed the check ("
                            + Hindsight.oneLine(e.getCause())
                            + ") — check iceberg.catalog",
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while checking the " + where, e);
        } finally {
            executor.shutdownNow();
        }
    }

    /** The Flink cluster's REST API answers. */
    static void cluster(FlinkRestClient flink, Duration timeout) {
        try {
            flink.get("/config", timeout);
        } catch (IOException e) {
            throw new UserError(
                    e.getMessage()
                            + " — check --cluster and that the JobManager's REST port is"
                            + " reachable from here",
                    e);
        }
    }

    static String seconds(Duration timeout) {
        long s = timeout.toSeconds();
        return s > 0 && timeout.toMillis() % 1000 == 0 ? s + " s" : timeout.toMillis() + " ms";
    }
}
