package io.hindsight.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.spec.SpecSecrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, as also served by
 * Apicurio (ccompat), Karapace and Redpanda.
 *
 * <p>Hand-written on the JDK's {@link HttpClient} and Jackson because Confluent's client is not
 * served by this build's repositories, and the five endpoints Hindsight needs are small and
 * documented. Ids are cached forever (they are immutable); the id of a schema under a subject is
 * cached once registered or looked up; {@link #latest} and {@link #isCompatible} always ask.
 *
 * <p>With several URLs the client sends each request to the URL that last answered and, when a URL
 * cannot be reached (refused, timed out, TLS failure), tries the next ones in order. An HTTP error
 * is an answer and is not retried elsewhere.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> urls;
    private final AtomicInteger preferredUrl = new AtomicInteger();
    private final String authorization;
    private final HttpClient http;
    private final RegistryConfig config;

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public RestSchemaRegistryClient(RegistryConfig config) {
        this.config = config;
        this.urls = config.urls();
        this.authorization =
                config.username() == null
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (config.username() + ":" + config.password())
                                                        .getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder =
                HttpClient.newBuilder()
                        .connectTimeout(config.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER);
        if (urls.stream().anyMatch(u -> u.startsWith("https:"))) {
            builder.sslContext(RegistryTls.sslContext(config.properties()));
        }
        this.http = builder.build();
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parseSchema(body, "schema id " + id);
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous == null ? schema : previous;
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schema);
        int id = requiredInt(body, "id", "registering under subject " + subject);
        remember(key, id);
        return id;
    }

    @Override
    public int lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("POST", "/subjects/" + encode(subject), schema);
        int id = requiredInt(body, "id", "looking up under subject " + subject);
        remember(key, id);
        return id;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode body = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        String what = "latest version of subject " + subject;
        int id = requiredInt(body, "id", what);
        Schema schema = parseSchema(body, what);
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(subject, id, requiredInt(body, "version", what), schema);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode body;
        try {
            body =
                    send(
                            "POST",
                            "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                            schema);
        } catch (SchemaRegistryException e) {
            // Older registries answer 40401 for a subject without versions; newer ones answer
            // true. Either way nothing registered can be broken by the first version.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return true;
            }
            throw e;
        }
        JsonNode compatible = body.get("is_compatible");
        if (compatible == null || !compatible.isBoolean()) {
            throw unexpected("checking compatibility under subject " + subject, body);
        }
        return compatible.booleanValue();
    }

    private void remember(SubjectSchema key, int id) {
        idsBySubjectSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, key.schema());
    }

    private JsonNode send(String method, String path, Schema schema) {
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (schema != null) {
            ObjectNode request = json.createObjectNode();
            request.put("schema", schema.toString());
            publisher = HttpRequest.BodyPublishers.ofString(request.toString());
        }
        int start = preferredUrl.get();
        List<String> failures = new ArrayList<>();
        IOException lastFailure = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            int index = (start + attempt) % urls.size();
            String base = urls.get(index);
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(config.requestTimeout())
                            .header("Accept", ACCEPT)
                            .method(method, publisher);
            if (schema != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = e;
                failures.add(base + ": " + describe(e));
                if (attempt < urls.size() - 1) {
                    LOG.warn(
                            "Schema registry {} unreachable for {} {} ({}); trying the next URL",
                            SpecSecrets.maskUrl(base),
                            method,
                            path,
                            describe(e));
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SchemaRegistryException.connectionFailure(
                        "interrupted while waiting for the schema registry at "
                                + base
                                + " ("
                                + method
                                + " "
                                + path
                                + ")",
                        e);
            }
            preferredUrl.set(index);
            return parseResponse(base, method, path, response);
        }
        String where =
                urls.size() == 1
                        ? "the schema registry at " + urls.get(0)
                        : "any schema registry of " + urls;
        throw SchemaRegistryException.connectionFailure(
                "cannot reach "
                        + where
                        + " for "
                        + method
                        + " "
                        + path
                        + ": "
                        + (urls.size() == 1 ? describe(lastFailure) : String.join("; ", failures)),
                lastFailure);
    }

    private JsonNode parseResponse(
            String base, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = response.body().isEmpty() ? null : json.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (status / 100 == 2) {
            if (body == null || !body.isObject()) {
                throw new SchemaRegistryException(
                        "schema registry at "
                                + base
                                + " answered "
                                + method
                                + " "
                                + path
                                + " with HTTP "
                                + status
                                + " but not with a JSON object: "
                                + abbreviate(response.body()),
                        status,
                        SchemaRegistryException.NONE);
            }
            return body;
        }
        int errorCode = SchemaRegistryException.NONE;
        String message = abbreviate(response.body());
        if (body != null && body.isObject()) {
            JsonNode code = body.get("error_code");
            if (code != null && code.canConvertToInt()) {
                errorCode = code.intValue();
            }
            JsonNode text = body.get("message");
            if (text != null && text.isTextual()) {
                message = text.textValue();
            }
        }
        String hint =
                status == 401 || status == 403 ? " (check the registry username/password)" : "";
        throw new SchemaRegistryException(
                "schema registry at "
                        + base
                        + " refused "
                        + method
                        + " "
                        + path
                        + ": HTTP "
                        + status
                        + (errorCode == SchemaRegistryException.NONE
                                ? ""
                                : ", error_code " + errorCode)
                        + ": "
                        + message
                        + hint,
                status,
                errorCode);
    }

    private Schema parseSchema(JsonNode body, String what) {
        JsonNode type = body.get("schemaType");
        if (type != null && type.isTextual() && !"AVRO".equals(type.textValue())) {
            throw new SchemaRegistryException(
                    what + " is a " + type.textValue() + " schema; Hindsight reads Avro only",
                    200,
                    SchemaRegistryException.NONE);
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw unexpected(what, body);
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (RuntimeException e) {
            // Avro 1.12 reports some invalid schemas (an undefined type name) with a
            // NullPointerException rather than a SchemaParseException.
            throw SchemaRegistryException.badAnswer(
                    "the registry's schema for " + what + " is not valid Avro: " + e.getMessage(),
                    200,
                    e);
        }
    }

    private int requiredInt(JsonNode body, String field, String what) {
        JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw unexpected(what, body);
        }
        return value.intValue();
    }

    private static SchemaRegistryException unexpected(String what, JsonNode body) {
        return new SchemaRegistryException(
                "unexpected schema registry answer when "
                        + what
                        + ": "
                        + abbreviate(body.toString()),
                200,
                SchemaRegistryException.NONE);
    }

    private static String describe(IOException e) {
        Throwable tls = e;
        while (tls != null && !(tls instanceof SSLException)) {
            tls = tls.getCause();
        }
        if (tls != null) {
            return "TLS handshake failed ("
                    + tls.getMessage()
                    + "); check ssl.truststore.* (and ssl.keystore.* if the registry requires"
                    + " client certificates)";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time (connect.timeout.ms / request.timeout.ms)";
        }
        if (e instanceof ConnectException) {
            return "connection refused or host unreachable; is the registry running and the"
                    + " url right?";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
