package io.hindsight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a run measures besides time: peak heap (sampled every 100 ms) and peak RSS of this JVM,
 * checkpoint statistics and RocksDB metrics from the MiniCluster's REST API, and bytes on disk.
 */
final class RunFigures implements AutoCloseable {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final String rest;
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peakHeap;

    RunFigures(int restPort) {
        this.rest = "http://127.0.0.1:" + restPort;
        this.sampler =
                new Thread(
                        () -> {
                            var memory = ManagementFactory.getMemoryMXBean();
                            while (running) {
                                peakHeap =
                                        Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                                try {
                                    Thread.sleep(100);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private volatile JsonNode lastCheckpoints;

    /**
     * Polls the job's checkpoint statistics every second: a local environment stops its
     * MiniCluster, REST API included, as soon as the job ends.
     */
    void pollCheckpoints(String jobId) {
        Thread poller =
                new Thread(
                        () -> {
                            while (running) {
                                try {
                                    lastCheckpoints = checkpoints(jobId);
                                    Thread.sleep(1000);
                                } catch (InterruptedException e) {
                                    return;
                                } catch (IOException e) {
                                    // not yet started, or already stopped: keep the last answer
                                    try {
                                        Thread.sleep(1000);
                                    } catch (InterruptedException ie) {
                                        return;
                                    }
                                }
                            }
                        },
                        "bench-checkpoint-poller");
        poller.setDaemon(true);
        poller.start();
    }

    /** The last checkpoint statistics polled, or an empty object. */
    JsonNode lastCheckpoints() {
        return lastCheckpoints == null ? json.createObjectNode() : lastCheckpoints;
    }

    /** CPU time of this JVM, all threads (task threads, GC, JIT, Flink runtime), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time (user + system) of another process, from /proc/PID/stat, in ns. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long peakHeapBytes() {
        return peakHeap;
    }

    /** VmHWM: the most resident memory this process has had. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmHWM in /proc/self/status");
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(rest + path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body());
    }

    /** The checkpoint statistics of a job: counts, latest completed, summary. */
    JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /**
     * Sum over all subtasks of all vertices of every metric whose name ends with {@code suffix}.
     */
    long sumMetric(String jobId, String suffix) throws IOException, InterruptedException {
        // The REST metric store fills on request: ask once, give the fetcher time, then read.
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics");
        }
        Thread.sleep(2500);
        long sum = 0;
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(base + "/subtasks/metrics")) {
                String id = m.path("id").asText();
                if (System.getProperty("bench.debug.metrics") != null && id.contains("rocksdb")) {
                    System.out.println("metric " + id);
                }
                if (id.endsWith(suffix)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query =
                    URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8)
                            .replace("+", "%20");
            for (JsonNode m : get(base + "/subtasks/metrics?agg=sum&get=" + query)) {
                sum += (long) m.path("sum").asDouble();
            }
        }
        return sum;
    }

    /** Total size of the files under {@code dir} whose names end with {@code suffix}. */
    static long bytesUnder(Path dir, String suffix) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix))
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    return 0; // deleted while walking: RocksDB compaction
                                }
                            })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
