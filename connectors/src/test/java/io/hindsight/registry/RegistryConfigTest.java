package io.hindsight.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void toStringMasksEveryPassword() {
        RegistryConfig config =
                new RegistryConfig(
                        "https://registry:8081",
                        "hindsight",
                        "basic-secret",
                        Map.of(
                                RegistryConfig.SSL_TRUSTSTORE_LOCATION, "/etc/trust.p12",
                                RegistryConfig.SSL_TRUSTSTORE_PASSWORD, "trust-secret",
                                RegistryConfig.SSL_KEYSTORE_LOCATION, "/etc/key.p12",
                                RegistryConfig.SSL_KEYSTORE_PASSWORD, "key-secret"));

        assertThat(config.toString())
                .isEqualTo(
                        "RegistryConfig[url=https://registry:8081, username=hindsight,"
                                + " password=******, properties={ssl.keystore.location=/etc/key.p12,"
                                + " ssl.keystore.password=******,"
                                + " ssl.truststore.location=/etc/trust.p12,"
                                + " ssl.truststore.password=******}]");
    }

    @Test
    void aPasswordInTheUrlIsNeverShown() {
        RegistryConfig config = RegistryConfig.of("https://bob:url-secret@registry:8081");
        assertThat(config.toString()).startsWith("RegistryConfig[url=https://****@registry:8081,");
        SchemaRegistryException e =
                new SchemaRegistryException(
                        "schema registry at https://bob:url-secret@registry:8081 refused GET /x",
                        401,
                        SchemaRegistryException.NONE);
        assertThat(e.getMessage())
                .isEqualTo("schema registry at https://****@registry:8081 refused GET /x");
    }

    @Test
    void splitsFailoverUrlsAndDropsTrailingSlashes() {
        RegistryConfig config = RegistryConfig.of("http://a:8081/, https://b:8081");

        assertThat(config.urls()).containsExactly("http://a:8081", "https://b:8081");
    }

    @Test
    void timeoutsDefaultAndParse() {
        assertThat(RegistryConfig.of("http://a:8081").requestTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        RegistryConfig config =
                new RegistryConfig(
                        "http://a:8081",
                        null,
                        null,
                        Map.of(
                                RegistryConfig.REQUEST_TIMEOUT_MS, "2500",
                                RegistryConfig.CONNECT_TIMEOUT_MS, "700"));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void unknownPropertyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(
                        () ->
                                new RegistryConfig(
                                        "http://a:8081",
                                        null,
                                        null,
                                        Map.of("ssl.trustore.location", "/etc/trust.p12")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown schema registry property 'ssl.trustore.location' (known:"
                                + " connect.timeout.ms, request.timeout.ms, ssl.key.password,"
                                + " ssl.keystore.location, ssl.keystore.password,"
                                + " ssl.keystore.type, ssl.truststore.location,"
                                + " ssl.truststore.password, ssl.truststore.type)");
    }

    @Test
    void badUrlsAreRefused() {
        assertThatThrownBy(() -> RegistryConfig.of(" "))
                .hasMessage("schema registry url is empty; expected e.g. http://registry:8081");
        assertThatThrownBy(() -> RegistryConfig.of("registry:8081"))
                .hasMessage(
                        "schema registry url 'registry:8081' must start with http:// or https://"
                                + " and name a host");
        assertThatThrownBy(() -> RegistryConfig.of("http://a:8081,,http://b:8081"))
                .hasMessage(
                        "schema registry url 'http://a:8081,,http://b:8081' has an empty entry"
                                + " between commas");
    }

    @Test
    void usernameWithoutPasswordIsRefused() {
        assertThatThrownBy(() -> new RegistryConfig("http://a:8081", "hindsight", null, Map.of()))
                .hasMessage(
                        "schema registry username 'hindsight' is set but its password is not;"
                                + " basic auth needs both");
    }

    @Test
    void badTimeoutIsRefused() {
        assertThatThrownBy(
                        () ->
                                new RegistryConfig(
                                        "http://a:8081",
                                        null,
                                        null,
                                        Map.of(RegistryConfig.REQUEST_TIMEOUT_MS, "30s")))
                .hasMessage(
                        "request.timeout.ms is '30s'; expected a positive number of milliseconds");
    }
}
