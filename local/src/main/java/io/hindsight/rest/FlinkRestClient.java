package io.hindsight.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.spec.SpecSecrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The part of Flink's REST API that Hindsight uses: upload a jar, run it, stop a job with a
 * savepoint, read a job's state, checkpoints and exceptions ({@code ./hindsight submit} and {@code
 * stop}, the cluster tests), and the registered TaskManagers (the embedded cluster's launcher,
 * {@code FlinkClusterProcesses}). Plain {@code java.net.http} and Jackson, so neither needs Flink
 * client classes, and it works against any Flink 2.x session cluster whose web submission is
 * enabled (the default).
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final String shownUrl;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * A client whose requests may take two minutes (a jar upload, a run that builds the job).
     *
     * @throws IllegalArgumentException if {@code baseUrl} is not an http(s) URL with a host
     */
    public FlinkRestClient(String baseUrl) {
        this(baseUrl, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }

    /**
     * A client that connects within {@code connectTimeout} and gives every answer {@code
     * requestTimeout}, for callers that poll a cluster coming up.
     *
     * @throws IllegalArgumentException if {@code baseUrl} is not an http(s) URL with a host
     */
    public FlinkRestClient(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
        if (!isHttpUrl(baseUrl)) {
            throw new IllegalArgumentException(
                    "not a Flink REST address: '"
                            + SpecSecrets.maskUrl(baseUrl)
                            + "' — expected http:// or https:// and a host, e.g."
                            + " http://localhost:8081");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.shownUrl = SpecSecrets.maskUrl(this.baseUrl);
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.requestTimeout = requestTimeout;
    }

    /** Whether {@code text} is an http:// or https:// URL with a host. */
    public static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equalsIgnoreCase(uri.getScheme())
                            || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            // Not a URI at all: the caller says what was expected.
            return false;
        }
    }

    /** The cluster's address as it may be shown: user info masked. */
    public String baseUrl() {
        return shownUrl;
    }

    /** {@code POST /jars/upload}: uploads a job jar and returns the id the cluster gave it. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "hindsight-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String fileName = jar.getFileName().toString();
        body.writeBytes(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + fileName
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(jar));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request =
                request("/jars/upload")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build();
        JsonNode response = send(request, "upload " + fileName);
        String status = response.path("status").asText();
        String file = response.path("filename").asText();
        if (!"success".equals(status) || file.isEmpty()) {
            throw new IOException("jar upload to " + shownUrl + " failed: " + response);
        }
        // The id is the stored file's name (with a random prefix), not its path.
        return Path.of(file).getFileName().toString();
    }

    /**
     * {@code POST /jars/{id}/run}: runs the jar's entry class in the JobManager and returns the id
     * of the submitted job.
     */
    public String runJar(
            String jarId,
            String entryClass,
            List<String> programArgs,
            Optional<String> savepointPath,
            Optional<Integer> parallelism)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        var args = body.putArray("programArgsList");
        programArgs.forEach(args::add);
        savepointPath.ifPresent(
                p -> {
                    body.put("savepointPath", p);
                    body.put("allowNonRestoredState", false);
                });
        parallelism.ifPresent(p -> body.put("parallelism", p));
        JsonNode response =
                send(post("/jars/" + jarId + "/run", body), "run " + entryClass + " from " + jarId);
        String jobId = response.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IOException("running " + entryClass + " returned no job id: " + response);
        }
        return jobId;
    }

    /** {@code DELETE /jars/{id}}: removes an uploaded jar (a submitted job keeps its own copy). */
    public void deleteJar(String jarId) throws IOException {
        send(request("/jars/" + jarId).DELETE().build(), "delete jar " + jarId);
    }

    /**
     * {@code POST /jobs/{id}/stop} without drain: stops the job with a savepoint (waiting
     * predictions stay in state) and returns the trigger id to poll.
     */
    public String stopWithSavepoint(String jobId, Optional<String> targetDirectory)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("drain", false);
        body.put("formatType", "CANONICAL");
        targetDirectory.ifPresent(d -> body.put("targetDirectory", d));
        JsonNode response = send(post("/jobs/" + jobId + "/stop", body), "stop job " + jobId);
        String trigger = response.path("request-id").asText();
        if (trigger.isEmpty()) {
            throw new IOException("stopping job " + jobId + " returned no request id: " + response);
        }
        return trigger;
    }

    /**
     * Polls {@code GET /jobs/{id}/savepoints/{triggerId}} until the savepoint completes and returns
     * its location.
     *
     * @throws IOException if the savepoint failed (with the cluster's failure cause) or did not
     *     complete within the timeout
     */
    public String awaitSavepoint(String jobId, String triggerId, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + triggerId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("location")) {
                    return operation.get("location").asText();
                }
                JsonNode cause = operation.path("failure-cause");
                throw new IOException(
                        "savepoint of job "
                                + jobId
                                + " failed: "
                                + cause.path("class").asText()
                                + ": "
                                + cause.path("stack-trace")
                                        .asText()
                                        .lines()
                                        .findFirst()
                                        .orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "savepoint of job "
                                + jobId
                                + " not completed within "
                                + timeout.toSeconds()
                                + " s: "
                                + status);
            }
            sleep(500);
        }
    }

    /** {@code GET /jobmanager/config}: one configuration value of the cluster, if it is set. */
    public Optional<String> clusterConfig(String key) throws IOException {
        for (JsonNode entry : get("/jobmanager/config")) {
            if (key.equals(entry.path("key").asText())) {
                return Optional.of(entry.path("value").asText());
            }
        }
        return Optional.empty();
    }

    /** {@code GET /jobs/{id}}: the job's details (state, vertices, timestamps). */
    public JsonNode job(String jobId) throws IOException {
        return get("/jobs/" + jobId);
    }

    /** The job's state, e.g. {@code RUNNING}, {@code RESTARTING}, {@code FINISHED}. */
    public String jobState(String jobId) throws IOException {
        return job(jobId).path("state").asText();
    }

    /** {@code GET /jobs/{id}/checkpoints}: checkpoint counts and the latest checkpoints. */
    public JsonNode checkpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET /jobs/{id}/exceptions}: the job's failure history. */
    public JsonNode exceptions(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/exceptions");
    }

    /** {@code GET} on any REST path, as JSON. */
    public JsonNode get(String path) throws IOException {
        return send(request(path).GET().build(), "GET " + path);
    }

    /** {@code GET} with its own timeout for the connection and the answer. */
    public JsonNode get(String path, Duration timeout) throws IOException {
        HttpClient quick = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout).GET().build();
        return send(quick, request, "GET " + path, timeout);
    }

    private HttpRequest post(String path, JsonNode body) throws IOException {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(requestTimeout);
    }

    private JsonNode send(HttpRequest request, String what) throws IOException {
        return send(http, request, what, requestTimeout);
    }

    private JsonNode send(HttpClient client, HttpRequest request, String what, Duration timeout)
            throws IOException {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no Flink cluster answers at " + shownUrl + " (" + what + ")", e);
        } catch (HttpTimeoutException e) {
            throw new IOException(
                    "no Flink cluster answers at "
                            + shownUrl
                            + " within "
                            + seconds(timeout)
                            + " ("
                            + what
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what, e);
        }
        JsonNode body =
                response.body().isBlank()
                        ? JSON.createObjectNode()
                        : JSON.readTree(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    what + " failed (HTTP " + response.statusCode() + "): " + errors(body));
        }
        return body;
    }

    private static String seconds(Duration timeout) {
        long s = timeout.toSeconds();
        return s > 0 && timeout.toMillis() % 1000 == 0 ? s + " s" : timeout.toMillis() + " ms";
    }

    /** Flink answers errors as {@code {"errors": [...]}}; the first line of each is enough. */
    private static String errors(JsonNode body) {
        JsonNode errors = body.path("errors");
        if (!errors.isArray() || errors.isEmpty()) {
            return body.toString();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode e : errors) {
            String message = e.asText();
            // The run handler nests the program's own failure under a long server-side trace.
            int cause = message.lastIndexOf("Caused by: ");
            String shown = cause >= 0 ? message.substring(cause) : message;
            text.append(shown.lines().findFirst().orElse("")).append("; ");
        }
        return text.substring(0, text.length() - 2);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a savepoint", e);
        }
    }
}
