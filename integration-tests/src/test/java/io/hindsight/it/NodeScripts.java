package io.hindsight.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A folder of node scripts with their npm dependencies installed, and a way to run them: every
 * process with a timeout, its output in files (no pipe can fill up and block it), killed when it
 * runs over, and its stderr in the error when it fails.
 */
final class NodeScripts {

    private final Path dir;

    private NodeScripts(Path dir) {
        this.dir = dir;
    }

    /**
     * Copies the test resources {@code resourceDir/package.json} and {@code scripts} into {@code
     * dir} and runs {@code npm install} there, unless the same {@code package.json} is installed
     * already. Skips the test (an assumption, with the reason) when node or npm is not installed.
     */
    static NodeScripts install(String resourceDir, List<String> scripts, Path dir)
            throws IOException, InterruptedException {
        assumeTrue(
                onPath("node") && onPath("npm"),
                "node and npm are not installed (apt-get install nodejs npm); the wire-format"
                        + " cross-check with Confluent's JavaScript client needs them");
        Files.createDirectories(dir);
        String packageJson = resource(resourceDir + "/package.json");
        Path installedMarker = dir.resolve("node_modules/.hindsight-installed-package.json");
        for (String script : scripts) {
            Files.writeString(dir.resolve(script), resource(resourceDir + "/" + script));
        }
        if (Files.exists(installedMarker)
                && Files.readString(installedMarker).equals(packageJson)) {
            return new NodeScripts(dir);
        }
        Files.writeString(dir.resolve("package.json"), packageJson);
        NodeScripts scriptsDir = new NodeScripts(dir);
        // No install scripts: the client is plain JavaScript, and none of its dependencies
        // needs one to work (protobufjs' only checks its own version).
        scriptsDir.run(
                List.of("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"),
                Duration.ofMinutes(5));
        Path staged = dir.resolve("package.json.installed");
        Files.writeString(staged, packageJson);
        Files.move(staged, installedMarker, StandardCopyOption.REPLACE_EXISTING);
        return scriptsDir;
    }

    /** Runs {@code node script args...} in the folder and returns what it printed on stdout. */
    String node(String script, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(args);
        return run(command, timeout);
    }

    private String run(List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        try {
            Process process =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            if (!finished) {
                throw new AssertionError(
                        String.join(" ", command)
                                + " did not finish within "
                                + timeout
                                + "; killed. stderr:\n"
                                + Files.readString(err));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        String.join(" ", command)
                                + " exited with "
                                + process.exitValue()
                                + ". stderr:\n"
                                + Files.readString(err)
                                + "\nstdout:\n"
                                + Files.readString(out));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NodeScripts.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
