package io.hindsight.spec;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which parts of a spec are secrets, and how they are shown: a property whose name says password,
 * secret, jaas, key, token or credential, the registry's password and the user info of any URL.
 * Specs end up in logs, exception messages and job configuration; what is shown there comes through
 * here.
 */
public final class SpecSecrets {

    /** What a secret is shown as. */
    public static final String MASK = "****";

    private static final List<String> SECRET_WORDS =
            List.of("password", "secret", "jaas", "key", "token", "credential");

    // scheme://userinfo@host...: the user info ends at the last '@' before the first '/', '?', '#'.
    private static final Pattern URL_USER_INFO =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#\\s]*)@");

    private static final Pattern JAAS_OPTION = Pattern.compile("([\\w.-]+)\\s*=\\s*\"([^\"]*)\"");

    private SpecSecrets() {}

    /** Whether a property of this name holds a secret (case-insensitive). */
    public static boolean isSecretKey(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(lower::contains);
    }

    /** The URL with its user info (user name and password) replaced by {@value #MASK}. */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        return URL_USER_INFO
                .matcher(url)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    }

    /** The properties as they may be shown: secret values masked, user info of URLs masked. */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> shown = new LinkedHashMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecretKey(k) ? MASK : maskUrl(v)));
        return shown;
    }

    /**
     * Every secret value of a loaded spec (resolved from the environment): what must never appear
     * in anything Hindsight prints or logs.
     */
    public static Set<String> values(JobSpec spec) {
        Set<String> secrets = new LinkedHashSet<>();
        KafkaSpec kafka = spec.kafka();
        if (kafka != null) {
            addSecrets(kafka.properties(), secrets);
            addUserInfo(kafka.bootstrapServers(), secrets);
            SchemaRegistrySpec registry = kafka.schemaRegistry();
            if (registry != null) {
                addSecrets(registry.properties(), secrets);
                addUserInfo(registry.url(), secrets);
                if (registry.password() != null) {
                    secrets.add(registry.password());
                }
            }
        }
        if (spec.iceberg() != null) {
            addSecrets(spec.iceberg().catalogProperties(), secrets);
        }
        addSecrets(spec.maintenance().lockProperties(), secrets);
        addUserInfo(spec.maintenance().lockJdbcUri(), secrets);
        secrets.removeIf(s -> s.isBlank() || s.length() < 3);
        return secrets;
    }

    /** The user info of a URL given outside a spec (a command line option), for redaction. */
    public static Set<String> values(String url) {
        Set<String> secrets = new LinkedHashSet<>();
        addUserInfo(url, secrets);
        return secrets;
    }

    /**
     * The text with every occurrence of a secret replaced by {@value #MASK}, also in the quoted
     * forms SQL and JSON give it ({@code '} doubled, {@code "} escaped). The last line of defence
     * for messages of other libraries that echo what they were given.
     */
    public static String redact(String text, Collection<String> secrets) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String shown = text;
        // Longest first, so that a secret containing another is masked whole.
        List<String> ordered =
                secrets.stream()
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .toList();
        for (String secret : ordered) {
            for (String form :
                    List.of(secret, secret.replace("'", "''"), secret.replace("\"", "\\\""))) {
                shown = shown.replace(form, MASK);
            }
        }
        return shown;
    }

    private static void addSecrets(Map<String, String> properties, Set<String> secrets) {
        properties.forEach(
                (k, v) -> {
                    if (v == null) {
                        return;
                    }
                    if (isSecretKey(k)) {
                        secrets.add(v);
                        // A JAAS line's secret options (password="...") are secrets on their own.
                        Matcher option = JAAS_OPTION.matcher(v);
                        while (option.find()) {
                            if (isSecretKey(option.group(1))) {
                                secrets.add(option.group(2));
                            }
                        }
                        // A credential of the form client:secret.
                        int colon = v.indexOf(':');
                        if (colon >= 0 && colon < v.length() - 1 && !v.contains("\"")) {
                            secrets.add(v.substring(colon + 1));
                        }
                    }
                    addUserInfo(v, secrets);
                });
    }

    private static void addUserInfo(String url, Set<String> secrets) {
        if (url == null) {
            return;
        }
        Matcher m = URL_USER_INFO.matcher(url);
        while (m.find()) {
            String info = m.group(2);
            secrets.add(info);
            int colon = info.indexOf(':');
            if (colon >= 0) {
                secrets.add(info.substring(colon + 1));
            }
        }
    }
}
