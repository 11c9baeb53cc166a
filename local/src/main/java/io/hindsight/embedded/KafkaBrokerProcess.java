package io.hindsight.embedded;

import io.hindsight.kafka.ClientTimeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka KRaft broker (combined broker and controller) running as its own JVM,
 * started from the classpath that the {@code embedded} module writes at build time.
 *
 * <p>The broker runs in a separate process so that its Scala and server jars never meet Flink's
 * classpath, and so that it can be killed like a real broker. {@link #close()} stops the process; a
 * JVM shutdown hook stops it too if the caller exits without closing. A caller killed with SIGKILL
 * cannot run the hook: the broker's pid is then in {@code <dataDir>/broker.pid}.
 *
 * <p>The broker is configured for local use with simulated data: replication factors of 1, no
 * initial rebalance delay, no time-based retention (simulated record timestamps lie weeks in the
 * past and would otherwise be deleted at once) and no limit on how far a record timestamp may lie
 * in the future (Kafka 4 rejects records more than an hour ahead by default).
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    /** System property holding the broker classpath itself (overrides the build's file). */
    public static final String CLASSPATH_PROPERTY = "hindsight.broker.classpath";

    /** System property naming the Hindsight checkout (set by the build for tests, and the CLI). */
    public static final String HOME_PROPERTY = "hindsight.home";

    /**
     * Where the {@code local/embedded} module's build writes the broker classpath, under the home.
     */
    public static final Path CLASSPATH_FILE =
            Path.of("local", "embedded", "target", "broker.classpath");

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final String HOST = LocalProcesses.HOST;

    private final Process process;
    private final Path dataDir;
    private final int port;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBrokerProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.shutdownHook =
                new Thread(
                        () -> stopProcess(process, Duration.ofSeconds(5)),
                        "hindsight-kafka-broker-stop-" + process.pid());
    }

    /**
     * Formats a fresh KRaft log directory under {@code dataDir} and starts a broker on free local
     * ports; returns once the broker answers an admin {@code describeCluster} request.
     *
     * @param dataDir directory for the broker's configuration, logs and data; created if missing,
     *     and must not already hold a broker's data
     * @throws IOException if the classpath is missing, formatting fails, or the broker does not
     *     become ready within 60 s (the message carries the tail of {@code broker.log})
     */
    public static KafkaBrokerProcess start(Path dataDir) throws IOException {
        long startedAt = System.nanoTime();
        String classpath = brokerClasspath();
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        Path logDir = dir.resolve("kafka-logs");
        if (Files.exists(logDir)) {
            throw new IOException(
                    "Kafka data directory "
                            + logDir
                            + " already exists; start the broker in an empty directory");
        }

        int[] ports = LocalProcesses.freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        Path serverProperties = dir.resolve("server.properties");
        writeProperties(serverProperties, serverProperties(logDir, port, controllerPort));
        Path log4jConfig = dir.resolve("broker-log4j2.properties");
        Files.writeString(log4jConfig, log4jConfig(dir.resolve("broker.log")));

        Path classpathArgs = dir.resolve("broker-classpath.args");
        Files.writeString(classpathArgs, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");

        format(classpathArgs, dir, serverProperties, log4jConfig);

        List<String> command =
                javaCommand(classpathArgs, log4jConfig, "-Xmx512m", "-Xms128m", "-XX:+UseG1GC");
        command.add("kafka.Kafka");
        command.add(serverProperties.toString());
        Path stdout = dir.resolve("broker.out");
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(stdout.toFile())
                        .start();
        KafkaBrokerProcess broker = new KafkaBrokerProcess(process, dir, port);
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        try {
            Files.writeString(dir.resolve("broker.pid"), process.pid() + "\n");
            broker.awaitReady();
        } catch (IOException | RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        LOG.info(
                "Kafka broker pid {} ready on {} after {} ms (data in {})",
                process.pid(),
                broker.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
                dir);
        return broker;
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client port the broker listens on. */
    public int port() {
        return port;
    }

    /** The operating-system process id of the broker JVM. */
    public long pid() {
        return process.pid();
    }

    /** Whether the broker process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The directory holding the broker's configuration, logs and data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates the topics that do not exist yet, each with the given number of partitions and
     * replication factor 1. Topics that already exist are left as they are, whatever their
     * partition count.
     */
    public void createTopics(Map<String, Integer> nameToPartitions) {
        try (Admin admin = admin()) {
            Set<String> existing =
                    admin.listTopics()
                            .names()
                            .get(ClientTimeouts.API_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            nameToPartitions.forEach(
                    (name, partitions) -> {
                        if (!existing.contains(name)) {
                            missing.add(new NewTopic(name, partitions, (short) 1));
                        }
                    });
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing)
                        .all()
                        .get(ClientTimeouts.API_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // A concurrent creator may have won the race since listTopics: that is fine.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "Could not create topics " + nameToPartitions.keySet(), e.getCause());
                }
            }
            awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Could not list topics on " + bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until every partition of {@code topics} has a leader. Topic creation returns once the
     * controller has recorded the topic, before the broker leads its partitions; a producer that
     * writes in that gap gets NOT_LEADER_OR_FOLLOWER and, seen here once, kept failing on that
     * partition until its delivery timeout.
     */
    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + ClientTimeouts.API_TIMEOUT.toNanos();
        while (true) {
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics)
                            .allTopicNames()
                            .get(ClientTimeouts.API_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            boolean led =
                    described.values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            if (led && serving(admin, described)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no leader yet for every partition of " + topics);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Whether every partition's leader answers for it: a ListOffsets request is served by the
     * partition's leader only, so it fails with NOT_LEADER_OR_FOLLOWER while the broker that
     * metadata names as leader has not yet become it. It reads and writes nothing.
     */
    private static boolean serving(Admin admin, Map<String, TopicDescription> described)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.forEach(
                (name, d) ->
                        d.partitions()
                                .forEach(
                                        p ->
                                                latest.put(
                                                        new TopicPartition(name, p.partition()),
                                                        OffsetSpec.latest())));
        try {
            admin.listOffsets(latest)
                    .all()
                    .get(ClientTimeouts.API_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            LOG.debug("Partitions not served by their leaders yet: {}", e.getCause().toString());
            return false;
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 15 s); safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running or will run.
        }
        long stoppingAt = System.nanoTime();
        stopProcess(process, STOP_GRACE);
        LOG.info(
                "Kafka broker pid {} stopped after {} ms",
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppingAt));
    }

    /**
     * Timeouts and retries for a broker slowed down by a loaded machine: {@link ClientTimeouts}.
     */
    private Admin admin() {
        return Admin.create(ClientTimeouts.admin(bootstrapServers()));
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!accepts(port)) {
            checkStillStarting(deadline, "accept connections");
            LocalProcesses.pause(100, "the Kafka broker");
        }
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("Kafka broker not ready yet: {}", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for the Kafka broker", e);
                }
                checkStillStarting(deadline, "answer describeCluster");
                LocalProcesses.pause(100, "the Kafka broker");
            }
        }
    }

    private void checkStillStarting(long deadline, String what) throws IOException {
        if (!process.isAlive()) {
            throw new IOException(
                    "Kafka broker exited with code "
                            + process.exitValue()
                            + " before it could "
                            + what
                            + logTails());
        }
        if (System.nanoTime() > deadline) {
            throw new IOException(
                    "Kafka broker (pid "
                            + process.pid()
                            + ") did not "
                            + what
                            + " on "
                            + bootstrapServers()
                            + " within "
                            + READY_TIMEOUT.toSeconds()
                            + " s"
                            + logTails());
        }
    }

    private String logTails() {
        return LocalProcesses.tail(dataDir.resolve("broker.log"))
                + LocalProcesses.tail(dataDir.resolve("broker.out"));
    }

    private static void format(
            Path classpathArgs, Path dir, Path serverProperties, Path log4jConfig)
            throws IOException {
        // A short-lived tool: C1 only and a serial collector start noticeably faster.
        List<String> command =
                javaCommand(
                        classpathArgs,
                        log4jConfig,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC");
        command.addAll(
                List.of(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        serverProperties.toString(),
                        "--standalone"));
        Path output = dir.resolve("format.out");
        Process format =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        try {
            if (!format.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException(
                        "Kafka storage format did not finish within "
                                + FORMAT_TIMEOUT.toSeconds()
                                + " s"
                                + LocalProcesses.tail(output));
            }
            if (format.exitValue() != 0) {
                throw new IOException(
                        "Kafka storage format failed with exit code "
                                + format.exitValue()
                                + LocalProcesses.tail(output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while formatting Kafka storage", e);
        } finally {
            stopProcess(format, Duration.ofSeconds(1));
        }
    }

    private static List<String> javaCommand(
            Path classpathArgFile, Path log4jConfig, String... jvmFlags) {
        List<String> command = new ArrayList<>();
        command.add(LocalProcesses.javaBinary());
        command.addAll(List.of(jvmFlags));
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4jConfig.toUri());
        // The classpath goes through an argument file: it is long, and a short command line keeps
        // the main class visible in ps and ProcessHandle.
        command.add("@" + classpathArgFile);
        return command;
    }

    static Map<String, String> serverProperties(Path logDir, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://"
                        + HOST
                        + ":"
                        + port
                        + ",CONTROLLER://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Simulated records carry event-time timestamps weeks in the past (and, deliberately,
        // some far in the future): neither may be deleted by retention nor rejected.
        p.put("log.retention.ms", "-1");
        p.put("log.message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE));
        return p;
    }

    private static void writeProperties(Path file, Map<String, String> properties)
            throws IOException {
        StringBuilder text = new StringBuilder("# Written by Hindsight's embedded Kafka broker\n");
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text.toString());
    }

    private static String log4jConfig(Path brokerLog) {
        return String.join(
                "\n",
                "# Quiet: warnings and errors, plus the broker's start and stop lines.",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + brokerLog.toString().replace("\\", "/"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n",
                "logger.server.name = kafka.server.KafkaRaftServer",
                "logger.server.level = INFO",
                "");
    }

    /**
     * Reads the broker classpath: the {@value #CLASSPATH_PROPERTY} property if set, else the file
     * the {@code local/embedded} module's build writes under the Hindsight home.
     */
    static String brokerClasspath() throws IOException {
        return LocalProcesses.classpath(
                "Kafka broker",
                CLASSPATH_PROPERTY,
                hindsightHome(),
                CLASSPATH_FILE,
                "local/embedded");
    }

    /**
     * The Hindsight home: the {@value #HOME_PROPERTY} property, else the nearest directory at or
     * above the working directory that contains {@code local/embedded/pom.xml}.
     */
    static Path hindsightHome() throws IOException {
        String fromProperty = System.getProperty(HOME_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return Path.of(fromProperty).toAbsolutePath();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("local").resolve("embedded").resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IOException(
                "Cannot find the Hindsight home: -D"
                        + HOME_PROPERTY
                        + " is not set and no directory at or above "
                        + start
                        + " contains local/embedded/pom.xml");
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void stopProcess(Process process, Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "Process {} did not stop within {} s; killing it",
                        process.pid(),
                        grace.toSeconds());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
