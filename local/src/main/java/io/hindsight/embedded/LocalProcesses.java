package io.hindsight.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the embedded broker and cluster share for running child JVMs on this machine: the Java
 * binary, free loopback ports, the tail of a log for error messages, waiting, and cleaning up.
 */
public final class LocalProcesses {

    static final String HOST = "127.0.0.1";
    private static final int LOG_TAIL_LINES = 40;

    private LocalProcesses() {}

    /** The java binary of the running JVM, so children run on the same Java. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code count} distinct free loopback ports. */
    static int[] freePorts(int count) throws IOException {
        // Hold all sockets open until every port is chosen, so the ports differ.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(HOST, 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * The classpath of a child JVM: the system property {@code property} if set, else the file
     * {@code file} (relative to {@code home}) that the build of {@code module} writes.
     *
     * @param what what the JVM runs, for the messages ("Kafka broker")
     */
    static String classpath(String what, String property, Path home, Path file, String module)
            throws IOException {
        String fromProperty = System.getProperty(property);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty.strip();
        }
        Path path = home.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new IOException(
                    what
                            + " classpath not found: "
                            + path
                            + " does not exist; run mvn package first (cd "
                            + home
                            + " && mvn -q -B -pl "
                            + module
                            + " package), or set -D"
                            + property);
        }
        String classpath = Files.readString(path).strip();
        if (classpath.isEmpty()) {
            throw new IOException(
                    what + " classpath file " + path + " is empty; run mvn package again");
        }
        return classpath;
    }

    /** The last lines of a log, as a suffix for an error message. */
    static String tail(Path file) {
        if (!Files.exists(file)) {
            return "\n(" + file + " does not exist)";
        }
        Deque<String> last = new ArrayDeque<>();
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.forEach(
                    line -> {
                        last.addLast(line);
                        if (last.size() > LOG_TAIL_LINES) {
                            last.removeFirst();
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            return "\n(could not read " + file + ": " + e.getMessage() + ")";
        }
        return "\nlast lines of " + file + ":\n" + String.join("\n", last);
    }

    /** Pauses a polling loop that waits for a child process; interruption becomes an error. */
    static void pause(long millis, String waitingFor) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for " + waitingFor, e);
        }
    }

    /** Deletes a folder and everything below it; a missing folder is fine. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
