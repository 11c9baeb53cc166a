package io.hindsight.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server from a Debian package (Prometheus, Alertmanager) run by a test: installed with {@code
 * apt-get} when its binary is missing (tests run as root here, as CI does), started on free ports
 * with its own configuration and data folder, ready once its {@code /-/ready} answers 200, and
 * stopped by {@link #close()} (the tests call it in {@code finally} / {@code @AfterAll}).
 */
final class DebianServer implements AutoCloseable {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private final URI base;

    private DebianServer(String name, Process process, Path log, URI base) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Returns {@code binary}, installing Debian's {@code debianPackage} first if it is missing
     * ({@code apt-get install -y}, after an {@code apt-get update} if the first attempt fails).
     */
    static Path installed(String debianPackage, Path binary) throws IOException {
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Path out = Files.createTempFile("apt-" + debianPackage, ".log");
        try {
            if (apt(out, "install", "-y", "--no-install-recommends", debianPackage) != 0) {
                apt(out, "update");
                if (apt(out, "install", "-y", "--no-install-recommends", debianPackage) != 0) {
                    throw new IOException(
                            "apt-get install -y "
                                    + debianPackage
                                    + " failed:\n"
                                    + Files.readString(out, StandardCharsets.UTF_8));
                }
            }
        } finally {
            Files.deleteIfExists(out);
        }
        if (!Files.isExecutable(binary)) {
            throw new IOException(
                    "Debian package " + debianPackage + " installed but " + binary + " is missing");
        }
        return binary;
    }

    private static int apt(Path out, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("apt-get", "-q"));
        command.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("apt-get " + String.join(" ", args) + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: apt-get " + String.join(" ", args), e);
        }
        return p.exitValue();
    }

    /**
     * Starts {@code command} (logging to {@code log}) and waits until {@code base}/-/ready is up.
     */
    static DebianServer start(String name, List<String> command, Path log, URI base)
            throws Exception {
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        DebianServer server = new DebianServer(name, process, log, base);
        try {
            Await.until(
                    name + " at " + base + " to be ready",
                    Duration.ofSeconds(60),
                    () -> {
                        if (!process.isAlive()) {
                            throw new IOException(
                                    name
                                            + " exited with "
                                            + process.exitValue()
                                            + ":\n"
                                            + Files.readString(log));
                        }
                        return server.get("-/ready").statusCode() == 200;
                    });
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    URI base() {
        return base;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name + " at " + base + " (log " + log + ")";
    }
}
