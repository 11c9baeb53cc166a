package io.hindsight.embedded;

import io.hindsight.rest.FlinkRestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real standalone Flink session cluster on this machine: one JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each its own
 * JVM, started from the classpath that the {@code embedded-flink} module writes at build time
 * (flink-dist is not published to Maven). What Flink's {@code start-cluster.sh} does, without the
 * distribution: memory flags from {@code BashJavaUtils}, Java 17 opens, a generated {@code
 * config.yaml}.
 *
 * <p>Everything lives under the work directory: configuration, logs, checkpoints, savepoints, jar
 * uploads and each process's {@code io.tmp.dirs} (so a TaskManager killed with SIGKILL leaves
 * nothing in {@code /tmp}). {@link #close()} stops every process and removes the temporary
 * directories; a JVM shutdown hook stops the processes if the caller exits without closing.
 */
public final class FlinkClusterProcesses implements AutoCloseable {

    /** System property holding the cluster classpath itself (overrides the build's file). */
    public static final String CLASSPATH_PROPERTY = "hindsight.flink.classpath";

    /**
     * Where the {@code local/embedded-flink} module's build writes the classpath, under the home.
     */
    public static final Path CLASSPATH_FILE =
            Path.of("local", "embedded-flink", "target", "flink-cluster.classpath");

    /** Cluster configuration this class starts from when the checkout has one. */
    public static final Path LOCAL_CONFIG = Path.of("flink-conf", "config-local.yaml");

    private static final Logger LOG = LoggerFactory.getLogger(FlinkClusterProcesses.class);
    private static final String HOST = LocalProcesses.HOST;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Flink's usual Java 17 opens, and the incubator module DataSketches 7 needs. */
    static final List<String> JAVA_17_FLAGS =
            List.of(
                    "--add-modules=jdk.incubator.foreign",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                    "--add-opens=java.sql/java.sql=ALL-UNNAMED");

    /** One cluster JVM: its process, its name and its own directory. */
    private record Member(String name, Process process, Path dir) {}

    private final Path workDir;
    private final Path confDir;
    private final Path classpathArgs;
    private final Map<String, String> childEnv;
    private final int restPort;
    private final FlinkRestClient rest;
    private final List<Member> taskManagers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private Member jobManager;
    private List<String> tmJvmFlags;
    private List<String> tmDynamicProperties;
    private int nextTaskManagerId;

    private FlinkClusterProcesses(
            Path workDir,
            Path confDir,
            Path classpathArgs,
            Map<String, String> childEnv,
            int restPort) {
        this.workDir = workDir;
        this.confDir = confDir;
        this.classpathArgs = classpathArgs;
        this.childEnv = Map.copyOf(childEnv);
        this.restPort = restPort;
        // Short timeouts: the launcher polls a cluster that is still coming up.
        this.rest = new FlinkRestClient(restUrl(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        this.shutdownHook = new Thread(this::stopAll, "hindsight-flink-cluster-stop");
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers and returns once the REST API lists
     * that many registered TaskManagers.
     *
     * @param workDir directory for configuration, logs, checkpoints and temporary files; created if
     *     missing
     * @param taskManagers how many TaskManagers (one slot each) to start
     * @param env environment variables every cluster process gets besides this JVM's (the spec's
     *     {@code ${env:...}} values are resolved in the JobManager)
     * @param overrides configuration applied last, over the local configuration and the defaults
     * @throws IOException if the classpath is missing or the cluster does not come up within 120 s
     *     (the message carries the tail of the failing process's log)
     */
    public static FlinkClusterProcesses start(
            Path workDir, int taskManagers, Map<String, String> env, Map<String, String> overrides)
            throws IOException {
        long startedAt = System.nanoTime();
        Path work = workDir.toAbsolutePath();
        Files.createDirectories(work);
        Path home = KafkaBrokerProcess.hindsightHome();
        String classpath = clusterClasspath(home);

        int[] ports = LocalProcesses.freePorts(2);
        Path confDir = work.resolve("conf");
        Files.createDirectories(confDir);
        Configuration config = configuration(home, work, ports[0], ports[1], overrides);
        Files.write(
                confDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                ConfigurationUtils.convertConfigToWritableLines(config, false),
                StandardCharsets.UTF_8);
        Files.writeString(confDir.resolve("log4j.properties"), log4jConfig());
        Path classpathArgs = confDir.resolve("classpath.args");
        Files.writeString(classpathArgs, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");

        FlinkClusterProcesses cluster =
                new FlinkClusterProcesses(work, confDir, classpathArgs, env, ports[0]);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManagerProcess();
            }
            cluster.awaitRegistered(cluster.taskManagerNames());
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        LOG.info(
                "Flink cluster with {} TaskManagers ready at {} after {} ms (work dir {})",
                taskManagers,
                cluster.restUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
                work);
        return cluster;
    }

    /** The REST endpoint (and web UI), e.g. {@code http://127.0.0.1:40123}. */
    public String restUrl() {
        return "http://" + HOST + ":" + restPort;
    }

    /** The directory holding this cluster's configuration, logs, checkpoints and savepoints. */
    public Path workDir() {
        return workDir;
    }

    /** Where savepoints go unless a stop request names another directory. */
    public Path savepointDir() {
        return workDir.resolve("savepoints");
    }

    /** The JobManager's log file. */
    public Path jobManagerLog() {
        return workDir.resolve("logs").resolve("jobmanager.log");
    }

    /** How many TaskManagers were started so far (killed ones included). */
    public synchronized int taskManagersStarted() {
        return taskManagers.size();
    }

    /** Whether the i-th started TaskManager (0-based) is still running. */
    public synchronized boolean isTaskManagerAlive(int index) {
        return taskManagers.get(index).process().isAlive();
    }

    /** The resource id of the i-th started TaskManager, as the JobManager names it. */
    public synchronized String taskManagerResourceId(int index) {
        return taskManagers.get(index).name();
    }

    /**
     * Kills the i-th started TaskManager (0-based) with SIGKILL, as a crashed machine would go: no
     * shutdown hook, no deregistration. Returns once the process is gone.
     */
    public synchronized void killTaskManager(int index) throws InterruptedException {
        Member tm = taskManagers.get(index);
        tm.process().descendants().forEach(ProcessHandle::destroyForcibly);
        tm.process().destroyForcibly();
        if (!tm.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    "TaskManager " + tm.name() + " (pid " + tm.process().pid() + ") did not die");
        }
        LOG.info("Killed TaskManager {} (pid {}) with SIGKILL", tm.name(), tm.process().pid());
    }

    /**
     * Starts one more TaskManager (a replacement after a kill) and returns its index once the
     * JobManager lists it as registered.
     */
    public int startTaskManager() throws IOException {
        int index = startTaskManagerProcess();
        awaitRegistered(Set.of(taskManagerResourceId(index)));
        return index;
    }

    /**
     * The resource ids of the TaskManagers the JobManager currently lists (a killed one stays
     * listed until its heartbeat times out).
     */
    public Set<String> registeredTaskManagers() throws IOException {
        Set<String> ids = new TreeSet<>();
        rest.get("/taskmanagers")
                .path("taskmanagers")
                .forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    private synchronized Set<String> taskManagerNames() {
        Set<String> names = new TreeSet<>();
        taskManagers.forEach(m -> names.add(m.name()));
        return names;
    }

    /** Stops every process (SIGTERM, SIGKILL after 10 s) and removes their temporary dirs. */
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
        stopAll();
        List<Path> tmpDirs = new ArrayList<>();
        synchronized (this) {
            taskManagers.forEach(m -> tmpDirs.add(m.dir().resolve("tmp")));
            if (jobManager != null) {
                tmpDirs.add(jobManager.dir().resolve("tmp"));
            }
        }
        for (Path dir : tmpDirs) {
            try {
                LocalProcesses.deleteRecursively(dir);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("Could not remove {}: {}", dir, e.toString());
            }
        }
        LOG.info(
                "Flink cluster stopped after {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppingAt));
    }

    private synchronized void stopAll() {
        List<Member> members = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            members.add(jobManager);
        }
        // SIGTERM to all first, so that they stop in parallel.
        for (Member m : members) {
            m.process().descendants().forEach(ProcessHandle::destroy);
            m.process().destroy();
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Member m : members) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!m.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("{} (pid {}) did not stop in time; killing it", m.name(), pid(m));
                    m.process().destroyForcibly();
                    m.process().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                m.process().destroyForcibly();
                Thread.currentThread().interrupt();
            } finally {
                m.process().descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static long pid(Member m) {
        return m.process().pid();
    }

    private void startJobManager() throws IOException {
        Path dir = workDir.resolve("jobmanager");
        Files.createDirectories(dir.resolve("tmp"));
        List<String> params = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> command = javaCommand(jvmFlags(params), dir.resolve("tmp"), "jobmanager");
        command.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(dynamicProperties(params));
        jobManager = new Member("jobmanager", launch(command, dir, "jobmanager"), dir);
        LOG.info("Started JobManager (pid {}), REST on {}", pid(jobManager), restUrl());
    }

    private synchronized int startTaskManagerProcess() throws IOException {
        if (tmJvmFlags == null) {
            List<String> params = resourceParams("GET_TM_RESOURCE_PARAMS");
            tmJvmFlags = jvmFlags(params);
            tmDynamicProperties = dynamicProperties(params);
        }
        String name = "taskmanager-" + nextTaskManagerId++;
        Path dir = workDir.resolve(name);
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        List<String> command = javaCommand(tmJvmFlags, tmp, name);
        command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        command.add("--configDir");
        command.add(confDir.toString());
        command.add("-D");
        command.add("taskmanager.resource-id=" + name);
        // Each TaskManager's working dirs (io, netty shuffle, tm_<id>, RocksDB) under its own dir.
        command.add("-D");
        command.add("io.tmp.dirs=" + tmp);
        command.addAll(tmDynamicProperties);
        Member tm = new Member(name, launch(command, dir, name), dir);
        taskManagers.add(tm);
        LOG.info("Started TaskManager {} (pid {})", name, pid(tm));
        return taskManagers.size() - 1;
    }

    private Process launch(List<String> command, Path dir, String name) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("logs").resolve(name + ".out").toFile());
        builder.environment().putAll(childEnv);
        Process process = builder.start();
        Files.writeString(dir.resolve(name + ".pid"), process.pid() + "\n");
        return process;
    }

    private List<String> javaCommand(List<String> jvmFlags, Path tmp, String logName)
            throws IOException {
        Path logs = workDir.resolve("logs");
        Files.createDirectories(logs);
        List<String> command = new ArrayList<>();
        command.add(LocalProcesses.javaBinary());
        command.addAll(jvmFlags);
        command.addAll(JAVA_17_FLAGS);
        command.add("-XX:+UseG1GC");
        command.add("-Djava.awt.headless=true");
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Dlog.file=" + logs.resolve(logName + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("@" + classpathArgs);
        return command;
    }

    /**
     * Runs {@code BashJavaUtils} as Flink's scripts do: line 1 of its result holds the JVM memory
     * flags, line 2 the dynamic {@code -D} properties that pin the computed sizes.
     */
    private List<String> resourceParams(String command) throws IOException {
        Path output = workDir.resolve("logs").resolve(command.toLowerCase() + ".out");
        Files.createDirectories(output.getParent());
        List<String> java = new ArrayList<>();
        java.add(LocalProcesses.javaBinary());
        java.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        java.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        java.add("-Dlog.file=" + workDir.resolve("logs").resolve("bash-java-utils.log"));
        java.add("@" + classpathArgs);
        java.addAll(
                List.of(
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        command,
                        "--configDir",
                        confDir.toString()));
        Process process =
                new ProcessBuilder(java)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(
                        "BashJavaUtils " + command + " failed" + LocalProcesses.tail(output));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running BashJavaUtils", e);
        }
        String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
        List<String> results =
                Files.readAllLines(output).stream()
                        .filter(l -> l.startsWith(prefix))
                        .map(l -> l.substring(prefix.length()).strip())
                        .toList();
        if (results.size() < 2) {
            throw new IOException(
                    "BashJavaUtils "
                            + command
                            + " printed no memory parameters"
                            + LocalProcesses.tail(output));
        }
        return results;
    }

    private static List<String> jvmFlags(List<String> params) {
        return Arrays.stream(params.get(0).split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> dynamicProperties(List<String> params) {
        return Arrays.stream(params.get(1).split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private void awaitRegistered(Set<String> expected) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Set<String> registered = Set.of();
        while (true) {
            checkAlive(expected);
            try {
                registered = registeredTaskManagers();
                if (registered.containsAll(expected)) {
                    return;
                }
            } catch (IOException e) {
                LOG.debug("Flink REST not answering yet: {}", e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "Flink cluster at "
                                + restUrl()
                                + " lists TaskManagers "
                                + registered
                                + ", not yet "
                                + expected
                                + ", after "
                                + READY_TIMEOUT.toSeconds()
                                + " s"
                                + LocalProcesses.tail(jobManagerLog()));
            }
            LocalProcesses.pause(250, "the Flink cluster");
        }
    }

    private synchronized void checkAlive(Set<String> taskManagerNames) throws IOException {
        if (!jobManager.process().isAlive()) {
            throw new IOException(
                    "Flink JobManager exited with code "
                            + jobManager.process().exitValue()
                            + LocalProcesses.tail(jobManagerLog())
                            + LocalProcesses.tail(
                                    workDir.resolve("logs").resolve("jobmanager.out")));
        }
        for (Member tm : taskManagers) {
            if (taskManagerNames.contains(tm.name()) && !tm.process().isAlive()) {
                Path logs = workDir.resolve("logs");
                throw new IOException(
                        "Flink TaskManager "
                                + tm.name()
                                + " exited with code "
                                + tm.process().exitValue()
                                + LocalProcesses.tail(logs.resolve(tm.name() + ".log"))
                                + LocalProcesses.tail(logs.resolve(tm.name() + ".out")));
            }
        }
    }

    /**
     * The configuration every cluster process reads: defaults, then the checkout's {@code
     * flink-conf/config-local.yaml} if it has one, then what a cluster on this machine must have
     * (its own ports, directories under the work dir, fast failure detection, one slot per
     * TaskManager), then the caller's overrides.
     */
    static Configuration configuration(
            Path home, Path work, int restPort, int rpcPort, Map<String, String> overrides)
            throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.memory.process.size", "800m");
        c.put("taskmanager.memory.process.size", "1200m");
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.interval", "10 s");
        c.put("execution.checkpointing.num-retained", "2");
        c.put("pipeline.auto-generate-uid", "false");
        c.put("pipeline.generic-types", "false");
        c.put("pipeline.object-reuse", "true");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "30");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        // How long the REST API may serve a cached job graph: fresh states for tests and the UI.
        c.put("web.refresh-interval", "500");

        Configuration config = Configuration.fromMap(c);
        Path local = home.resolve(LOCAL_CONFIG);
        if (Files.isRegularFile(local)) {
            Path base = work.resolve("conf-base");
            Files.createDirectories(base);
            Files.copy(
                    local,
                    base.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            config.addAll(GlobalConfiguration.loadConfiguration(base.toString()));
            LOG.info("Cluster configuration based on {}", local);
        }

        Map<String, String> m = new LinkedHashMap<>();
        m.put("jobmanager.rpc.address", HOST);
        m.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        m.put("jobmanager.bind-host", HOST);
        m.put("taskmanager.host", HOST);
        m.put("taskmanager.bind-host", HOST);
        m.put("taskmanager.rpc.port", "0");
        m.put("taskmanager.data.port", "0");
        m.put("blob.server.port", "0");
        m.put("rest.address", HOST);
        m.put("rest.bind-address", HOST);
        m.put("rest.port", String.valueOf(restPort));
        m.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        m.put(
                "execution.checkpointing.savepoint-dir",
                work.resolve("savepoints").toUri().toString());
        m.put("io.tmp.dirs", work.resolve("jobmanager").resolve("tmp").toString());
        m.put("web.tmpdir", work.resolve("jobmanager").resolve("web").toString());
        m.put("web.upload.dir", work.resolve("jobmanager").resolve("uploads").toString());
        m.put("cluster.registration.error-delay", "1 s");
        m.put("heartbeat.interval", "1 s");
        m.put("heartbeat.timeout", "5 s");
        m.put("taskmanager.numberOfTaskSlots", "1");
        m.put("parallelism.default", "2");
        m.putAll(overrides);
        config.addAll(Configuration.fromMap(m));
        return config;
    }

    private static String log4jConfig() {
        return String.join(
                "\n",
                "# Written by Hindsight's local Flink cluster: one file per process (log.file).",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c{1} - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "logger.hadoop.name = org.apache.hadoop",
                "logger.hadoop.level = WARN",
                "logger.iceberg.name = org.apache.iceberg",
                "logger.iceberg.level = WARN",
                "logger.netty.name = org.apache.flink.shaded.netty4",
                "logger.netty.level = WARN",
                "");
    }

    /**
     * Reads the cluster classpath: the {@value #CLASSPATH_PROPERTY} property if set, else the file
     * the {@code local/embedded-flink} module's build writes under the Hindsight home.
     */
    static String clusterClasspath(Path home) throws IOException {
        return LocalProcesses.classpath(
                "Flink cluster", CLASSPATH_PROPERTY, home, CLASSPATH_FILE, "local/embedded-flink");
    }
}
