package io.hindsight.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A <b>stand-in</b> schema registry for tests and the local demo — not a production registry. It
 * serves, from memory, the subset of the Confluent Schema Registry REST API that Hindsight's {@code
 * RestSchemaRegistryClient} uses, with Confluent's status codes and error codes, so that tests and
 * the demo run the same client code as production does against Confluent, Apicurio (ccompat),
 * Karapace or Redpanda. No registry server can be built in this project's build, so this one is
 * hand-written on the JDK's HTTP server.
 *
 * <p>Served: {@code GET /schemas/ids/{id}}, {@code GET /subjects}, {@code GET
 * /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v|latest}}, {@code POST
 * /subjects/{s}/versions} (register), {@code POST /subjects/{s}} (lookup), {@code POST
 * /compatibility/subjects/{s}/versions/{v|latest}}, {@code GET /config}. Avro only; no schema
 * references, deletes, modes or per-subject config. Ids are global and deduplicated by the schema's
 * normalized JSON ({@link Schema#toString()}); registering checks compatibility against the
 * subject's latest version at one fixed level for all subjects (BACKWARD unless configured). State
 * lives and dies with the process. Optional basic auth and TLS (with optional client certificates)
 * exist to test the client's settings.
 */
public final class StandInSchemaRegistry implements AutoCloseable {

    /** Compatibility levels, as the Confluent registry names them (non-transitive only). */
    public enum Compatibility {
        NONE,
        BACKWARD,
        FORWARD,
        FULL
    }

    // The Confluent REST API's content type and error codes, spelled out here rather than taken
    // from the client in connectors: the stand-in depends on nothing of Hindsight's (connectors'
    // tests use it without a cycle), and a client that drifted from the API would fail its tests
    // against these instead of agreeing with itself.
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int VERSION_NOT_FOUND = 40402;
    private static final int SCHEMA_NOT_FOUND = 40403;
    private static final int INVALID_SCHEMA = 42201;

    private final ObjectMapper json = new ObjectMapper();
    private final Compatibility compatibility;
    private final String expectedAuthorization;
    private final SSLContext sslContext;
    private final boolean needClientAuth;
    private final InetSocketAddress bindAddress;

    // Guarded by "this".
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();

    private final Map<String, LongAdder> requestCounts = new ConcurrentHashMap<>();
    private final LongAdder totalRequests = new LongAdder();

    private HttpServer server;

    private StandInSchemaRegistry(Builder builder) {
        this.compatibility = builder.compatibility;
        this.expectedAuthorization =
                builder.username == null
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (builder.username + ":" + builder.password)
                                                        .getBytes(StandardCharsets.UTF_8));
        this.sslContext = builder.sslContext;
        this.needClientAuth = builder.needClientAuth;
        this.bindAddress = new InetSocketAddress(builder.bindAddress, builder.port);
    }

    /** A plain-HTTP stand-in on a free loopback port, BACKWARD compatibility, no auth. */
    public StandInSchemaRegistry() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of a stand-in registry. */
    public static final class Builder {
        private Compatibility compatibility = Compatibility.BACKWARD;
        private String username;
        private String password;
        private SSLContext sslContext;
        private boolean needClientAuth;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;

        private Builder() {}

        public Builder compatibility(Compatibility level) {
            this.compatibility = level;
            return this;
        }

        /** Requires HTTP basic auth with these credentials on every request (401 otherwise). */
        public Builder basicAuth(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        /** Serves HTTPS with {@code context}; {@code needClientAuth} demands client certs. */
        public Builder tls(SSLContext context, boolean needClientAuth) {
            this.sslContext = context;
            this.needClientAuth = needClientAuth;
            return this;
        }

        /** Binds this address instead of loopback (for the demo, to serve other hosts). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** Binds this port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public StandInSchemaRegistry build() {
            return new StandInSchemaRegistry(this);
        }
    }

    /** Binds the port and starts serving; returns this. */
    public synchronized StandInSchemaRegistry start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("stand-in schema registry already started at " + url());
        }
        if (sslContext == null) {
            server = HttpServer.create(bindAddress, 0);
        } else {
            HttpsServer https = HttpsServer.create(bindAddress, 0);
            https.setHttpsConfigurator(
                    new HttpsConfigurator(sslContext) {
                        @Override
                        public void configure(HttpsParameters params) {
                            SSLParameters parameters = sslContext.getDefaultSSLParameters();
                            parameters.setNeedClientAuth(needClientAuth);
                            params.setSSLParameters(parameters);
                        }
                    });
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:40123}. */
    public synchronized String url() {
        if (server == null) {
            throw new IllegalStateException("stand-in schema registry is not started");
        }
        InetSocketAddress address = server.getAddress();
        InetAddress host = address.getAddress();
        String hostText =
                host.isAnyLocalAddress()
                        ? InetAddress.getLoopbackAddress().getHostAddress()
                        : host.getHostAddress();
        if (hostText.contains(":")) {
            hostText = "[" + hostText + "]";
        }
        return (sslContext == null ? "http" : "https") + "://" + hostText + ":" + address.getPort();
    }

    /** Requests served so far, including refused ones. */
    public long requestCount() {
        return totalRequests.sum();
    }

    /** Requests served so far for one method and path, e.g. {@code ("GET", "/schemas/ids/1")}. */
    public long requestCount(String method, String path) {
        LongAdder count = requestCounts.get(method + " " + path);
        return count == null ? 0 : count.sum();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            totalRequests.increment();
            requestCounts.computeIfAbsent(method + " " + path, k -> new LongAdder()).increment();
            Response response;
            try {
                response = authorized(exchange) ? route(exchange, method, path) : unauthorized();
            } catch (RuntimeException e) {
                response = error(500, 50001, "stand-in registry failed: " + e);
            }
            byte[] body = response.body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (response.status == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"registry\"");
            }
            exchange.sendResponseHeaders(response.status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        return given != null
                && MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8),
                        expectedAuthorization.getBytes(StandardCharsets.UTF_8));
    }

    private record Response(int status, JsonNode body) {}

    private Response route(HttpExchange exchange, String method, String rawPath)
            throws IOException {
        List<String> parts = new ArrayList<>();
        for (String part : rawPath.split("/")) {
            if (!part.isEmpty()) {
                parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        int n = parts.size();
        boolean get = "GET".equals(method);
        boolean post = "POST".equals(method);
        if (get && n == 3 && parts.get(0).equals("schemas") && parts.get(1).equals("ids")) {
            return schemaById(parts.get(2));
        }
        if (get && n == 1 && parts.get(0).equals("subjects")) {
            return subjects();
        }
        if (get && n == 1 && parts.get(0).equals("config")) {
            ObjectNode body = json.createObjectNode();
            body.put("compatibilityLevel", compatibility.name());
            return new Response(200, body);
        }
        if (n >= 2 && parts.get(0).equals("subjects")) {
            String subject = parts.get(1);
            if (post && n == 2) {
                return lookup(subject, readBody(exchange));
            }
            if (n == 3 && parts.get(2).equals("versions")) {
                if (get) {
                    return versions(subject);
                }
                if (post) {
                    return register(subject, readBody(exchange));
                }
            }
            if (get && n == 4 && parts.get(2).equals("versions")) {
                return version(subject, parts.get(3));
            }
        }
        if (post
                && n == 5
                && parts.get(0).equals("compatibility")
                && parts.get(1).equals("subjects")
                && parts.get(3).equals("versions")) {
            return compatibility(parts.get(2), parts.get(4), readBody(exchange));
        }
        return error(404, 404, "HTTP 404 Not Found: " + method + " " + rawPath);
    }

    private synchronized Response schemaById(String idText) {
        Schema schema = null;
        try {
            schema = schemasById.get(Integer.parseInt(idText));
        } catch (NumberFormatException e) {
            // Not a number: no such schema, answered below like any unknown id.
        }
        if (schema == null) {
            return error(404, SCHEMA_NOT_FOUND, "Schema " + idText + " not found");
        }
        ObjectNode body = json.createObjectNode();
        body.put("schema", schema.toString());
        return new Response(200, body);
    }

    private synchronized Response subjects() {
        return new Response(200, json.valueToTree(versionsBySubject.keySet()));
    }

    private synchronized Response versions(String subject) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= ids.size(); v++) {
            versions.add(v);
        }
        return new Response(200, json.valueToTree(versions));
    }

    private synchronized Response version(String subject, String versionText) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        int version = resolveVersion(ids, versionText);
        if (version < 1) {
            return error(404, VERSION_NOT_FOUND, "Version " + versionText + " not found.");
        }
        return new Response(200, describe(subject, version, ids.get(version - 1)));
    }

    private synchronized Response register(String subject, JsonNode request) {
        Object parsed = parseSchema(request);
        if (parsed instanceof Response invalid) {
            return invalid;
        }
        Schema schema = (Schema) parsed;
        String text = schema.toString();
        List<Integer> ids = versionsBySubject.get(subject);
        Integer existing = idsByText.get(text);
        if (ids != null && existing != null && ids.contains(existing)) {
            return idResponse(existing);
        }
        if (ids != null && !ids.isEmpty()) {
            Schema latest = schemasById.get(ids.get(ids.size() - 1));
            String problem = incompatibility(schema, latest);
            if (problem != null) {
                return error(
                        409,
                        409,
                        "Schema being registered is incompatible with an earlier schema for"
                                + " subject \""
                                + subject
                                + "\" ("
                                + compatibility
                                + "): "
                                + problem);
            }
        }
        int id;
        if (existing != null) {
            id = existing;
        } else {
            id = schemasById.size() + 1;
            schemasById.put(id, schema);
            idsByText.put(text, id);
        }
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return idResponse(id);
    }

    private synchronized Response lookup(String subject, JsonNode request) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        Object parsed = parseSchema(request);
        if (parsed instanceof Response invalid) {
            return invalid;
        }
        Integer id = idsByText.get(((Schema) parsed).toString());
        if (id == null || !ids.contains(id)) {
            return error(404, SCHEMA_NOT_FOUND, "Schema not found");
        }
        return new Response(200, describe(subject, ids.indexOf(id) + 1, id));
    }

    private synchronized Response compatibility(
            String subject, String versionText, JsonNode request) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            return subjectNotFound(subject);
        }
        int version = resolveVersion(ids, versionText);
        if (version < 1) {
            return error(404, VERSION_NOT_FOUND, "Version " + versionText + " not found.");
        }
        Object parsed = parseSchema(request);
        if (parsed instanceof Response invalid) {
            return invalid;
        }
        String problem = incompatibility((Schema) parsed, schemasById.get(ids.get(version - 1)));
        ObjectNode body = json.createObjectNode();
        body.put("is_compatible", problem == null);
        return new Response(200, body);
    }

    /** Null if {@code candidate} may follow {@code previous}, else what breaks. */
    private String incompatibility(Schema candidate, Schema previous) {
        List<String> problems = new ArrayList<>();
        if (compatibility == Compatibility.BACKWARD || compatibility == Compatibility.FULL) {
            // New readers must read old data.
            check(candidate, previous, problems);
        }
        if (compatibility == Compatibility.FORWARD || compatibility == Compatibility.FULL) {
            // Old readers must read new data.
            check(previous, candidate, problems);
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void check(Schema reader, Schema writer, List<String> problems) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            for (SchemaCompatibility.Incompatibility incompatibility :
                    result.getResult().getIncompatibilities()) {
                problems.add(
                        incompatibility.getType()
                                + " at "
                                + incompatibility.getLocation()
                                + ": "
                                + incompatibility.getMessage());
            }
        }
    }

    /** The parsed schema, or an error response (422 42201 / 400). */
    private Object parseSchema(JsonNode request) {
        if (request == null || !request.isObject()) {
            return error(400, 400, "request body is not a JSON object");
        }
        JsonNode type = request.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            return error(
                    422,
                    INVALID_SCHEMA,
                    "the stand-in registry serves Avro only, not " + type.asText());
        }
        JsonNode references = request.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            return error(
                    422,
                    INVALID_SCHEMA,
                    "the stand-in registry does not support schema references");
        }
        JsonNode text = request.get("schema");
        if (text == null || !text.isTextual()) {
            return error(422, INVALID_SCHEMA, "Empty schema: no \"schema\" field");
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (RuntimeException e) {
            // Avro 1.12 reports some invalid schemas (an undefined type name) with a
            // NullPointerException rather than a SchemaParseException.
            return error(422, INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    private JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? null : json.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private static int resolveVersion(List<Integer> ids, String versionText) {
        if (versionText.equals("latest") || versionText.equals("-1")) {
            return ids.size();
        }
        try {
            int version = Integer.parseInt(versionText);
            return version >= 1 && version <= ids.size() ? version : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private ObjectNode describe(String subject, int version, int id) {
        ObjectNode body = json.createObjectNode();
        body.put("subject", subject);
        body.put("version", version);
        body.put("id", id);
        body.put("schema", schemasById.get(id).toString());
        return body;
    }

    private Response idResponse(int id) {
        ObjectNode body = json.createObjectNode();
        body.put("id", id);
        return new Response(200, body);
    }

    private Response subjectNotFound(String subject) {
        return error(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    private Response unauthorized() {
        return error(401, 401, "Unauthorized");
    }

    private Response error(int status, int errorCode, String message) {
        ObjectNode body = json.createObjectNode();
        body.put("error_code", errorCode);
        body.put("message", message);
        return new Response(status, body);
    }

    /**
     * Runs a stand-in registry as its own process until it is stopped: {@code [--port N] [--bind
     * ADDRESS]}. Prints its URL on the first line of standard output.
     */
    public static void main(String[] args) throws Exception {
        Builder builder = builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ((arg.equals("--port") || arg.equals("--bind")) && i + 1 < args.length) {
                String value = args[++i];
                if (arg.equals("--port")) {
                    try {
                        builder.port(Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        usage("--port needs a number, got '" + value + "'");
                        return;
                    }
                } else {
                    builder.bindAddress(InetAddress.getByName(value));
                }
            } else {
                usage("unknown or incomplete argument '" + arg + "'");
                return;
            }
        }
        StandInSchemaRegistry registry = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    registry.close();
                                    stopped.countDown();
                                },
                                "stand-in-registry-shutdown"));
        System.out.println(registry.url());
        System.out.println(
                "Stand-in schema registry for tests and demos (in memory, not for production);"
                        + " stop with Ctrl-C.");
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println(
                "usage: java "
                        + StandInSchemaRegistry.class.getName()
                        + " [--port N] [--bind ADDRESS]");
        System.exit(2);
    }
}
