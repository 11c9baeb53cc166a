package io.hindsight.registry;

import io.hindsight.spec.SpecSecrets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the schema registry is and how to talk to it. Serializable, so a Flink job ships it to its
 * operators, which {@link #create() create} the client in {@code open()}.
 *
 * <p>{@code url} may list several registry URLs separated by commas; the client fails over between
 * them when one cannot be reached. {@code username}/{@code password} enable HTTP basic auth ({@code
 * null} username: none). {@code properties} holds TLS and timeout settings, see {@link
 * #KNOWN_PROPERTIES}; an unknown key is rejected so that a typo never silently becomes a default.
 * {@link #toString()} masks every password.
 */
public record RegistryConfig(
        String url, String username, String password, Map<String, String> properties)
        implements SchemaRegistryClientFactory {

    private static final long serialVersionUID = 1L;

    public static final String SSL_TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "ssl.key.password";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String CONNECT_TIMEOUT_MS = "connect.timeout.ms";

    public static final Set<String> KNOWN_PROPERTIES =
            Set.of(
                    SSL_TRUSTSTORE_LOCATION,
                    SSL_TRUSTSTORE_PASSWORD,
                    SSL_TRUSTSTORE_TYPE,
                    SSL_KEYSTORE_LOCATION,
                    SSL_KEYSTORE_PASSWORD,
                    SSL_KEYSTORE_TYPE,
                    SSL_KEY_PASSWORD,
                    REQUEST_TIMEOUT_MS,
                    CONNECT_TIMEOUT_MS);

    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final String MASK = "******";

    public RegistryConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    "schema registry url is empty; expected e.g. http://registry:8081");
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException(
                    "schema registry username '"
                            + username
                            + "' is set but its password is not; basic auth needs both");
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (String key : properties.keySet()) {
            if (!KNOWN_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown schema registry property '"
                                + key
                                + "' (known: "
                                + String.join(", ", new TreeSet<>(KNOWN_PROPERTIES))
                                + ")");
            }
        }
        parseUrls(url);
        timeout(properties, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT);
        timeout(properties, CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT);
        if (properties.containsKey(SSL_KEYSTORE_LOCATION)
                && !properties.containsKey(SSL_KEYSTORE_PASSWORD)) {
            throw new IllegalArgumentException(
                    SSL_KEYSTORE_LOCATION + " is set but " + SSL_KEYSTORE_PASSWORD + " is not");
        }
    }

    /** A registry without authentication, TLS settings or timeouts of its own. */
    public static RegistryConfig of(String url) {
        return new RegistryConfig(url, null, null, Map.of());
    }

    /** The registry URLs in failover order, without trailing slashes. */
    public List<String> urls() {
        return parseUrls(url);
    }

    public Duration requestTimeout() {
        return timeout(properties, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT);
    }

    public Duration connectTimeout() {
        return timeout(properties, CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT);
    }

    @Override
    public SchemaRegistryClient create() {
        return new RestSchemaRegistryClient(this);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(properties);
        shown.replaceAll((key, value) -> key.endsWith(".password") ? MASK : value);
        return "RegistryConfig[url="
                + SpecSecrets.maskUrl(url)
                + ", username="
                + username
                + ", password="
                + (password == null ? null : MASK)
                + ", properties="
                + shown
                + "]";
    }

    private static List<String> parseUrls(String url) {
        List<String> urls = new ArrayList<>();
        for (String part : Arrays.asList(url.split(","))) {
            String candidate = part.strip();
            while (candidate.endsWith("/")) {
                candidate = candidate.substring(0, candidate.length() - 1);
            }
            if (candidate.isEmpty()) {
                throw new IllegalArgumentException(
                        "schema registry url '" + url + "' has an empty entry between commas");
            }
            URI uri;
            try {
                uri = URI.create(candidate);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "schema registry url '" + candidate + "' is not a URL: " + e.getMessage(),
                        e);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "schema registry url '"
                                + candidate
                                + "' must start with http:// or https:// and name a host");
            }
            urls.add(candidate);
        }
        return List.copyOf(urls);
    }

    private static Duration timeout(Map<String, String> properties, String key, Duration dflt) {
        String value = properties.get(key);
        if (value == null) {
            return dflt;
        }
        long millis;
        try {
            millis = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + " is '" + value + "'; expected a positive number of milliseconds", e);
        }
        if (millis <= 0) {
            throw new IllegalArgumentException(
                    key + " is " + millis + "; expected a positive number of milliseconds");
        }
        return Duration.ofMillis(millis);
    }
}
