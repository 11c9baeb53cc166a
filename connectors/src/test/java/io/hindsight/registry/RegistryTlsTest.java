package io.hindsight.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's {@code ssl.*} settings against the stand-in served over HTTPS, with self-signed
 * certificates made by the JDK's keytool for each run.
 */
class RegistryTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir static Path dir;

    private static Path serverKeys;
    private static Path serverTrust;
    private static Path clientKeys;
    private static Path clientTrust;
    private static Path clientTrustJks;

    @BeforeAll
    static void makeCertificates() throws Exception {
        serverKeys = dir.resolve("server.p12");
        clientKeys = dir.resolve("client.p12");
        clientTrust = dir.resolve("client-trust.p12");
        clientTrustJks = dir.resolve("client-trust.jks");
        serverTrust = dir.resolve("server-trust.p12");
        Path serverCert = dir.resolve("server.crt");
        Path clientCert = dir.resolve("client.crt");

        keytool(
                "-genkeypair",
                "-alias",
                "registry",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                serverKeys.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-alias",
                "registry",
                "-keystore",
                serverKeys.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                serverCert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "registry",
                "-file",
                serverCert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                clientTrust.toString(),
                "-storepass",
                PASSWORD);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "registry",
                "-file",
                serverCert.toString(),
                "-storetype",
                "JKS",
                "-keystore",
                clientTrustJks.toString(),
                "-storepass",
                PASSWORD);

        keytool(
                "-genkeypair",
                "-alias",
                "hindsight",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=hindsight",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                clientKeys.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-alias",
                "hindsight",
                "-keystore",
                clientKeys.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                clientCert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "hindsight",
                "-file",
                clientCert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                serverTrust.toString(),
                "-storepass",
                PASSWORD);
    }

    @Test
    void truststoreLetsTheClientTrustAPrivateCertificate() throws Exception {
        try (StandInSchemaRegistry registry = httpsRegistry(false)) {
            SchemaRegistryClient client =
                    config(
                                    registry,
                                    Map.of(
                                            RegistryConfig.SSL_TRUSTSTORE_LOCATION,
                                            clientTrust.toString(),
                                            RegistryConfig.SSL_TRUSTSTORE_PASSWORD,
                                            PASSWORD,
                                            RegistryConfig.SSL_TRUSTSTORE_TYPE,
                                            "PKCS12"))
                            .create();

            int id = client.register("predictions-value", TestSchemas.FEEDBACK);

            assertThat(registry.url()).startsWith("https://127.0.0.1:");
            assertThat(client.getById(id)).isEqualTo(TestSchemas.FEEDBACK);
        }
    }

    @Test
    void jksTruststoreLoadsWithoutNamingItsType() throws Exception {
        try (StandInSchemaRegistry registry = httpsRegistry(false)) {
            SchemaRegistryClient client =
                    config(
                                    registry,
                                    Map.of(
                                            RegistryConfig.SSL_TRUSTSTORE_LOCATION,
                                            clientTrustJks.toString(),
                                            RegistryConfig.SSL_TRUSTSTORE_PASSWORD,
                                            PASSWORD))
                            .create();

            assertThat(client.isCompatible("predictions-value", TestSchemas.FEEDBACK)).isTrue();
        }
    }

    @Test
    void withoutTheTruststoreTheHandshakeFailsWithAHint() throws Exception {
        try (StandInSchemaRegistry registry = httpsRegistry(false)) {
            SchemaRegistryClient client = RegistryConfig.of(registry.url()).create();

            assertThatThrownBy(() -> client.getById(1))
                    .asInstanceOf(type(SchemaRegistryException.class))
                    .satisfies(
                            e -> {
                                assertThat(e.isConnectionFailure()).isTrue();
                                assertThat(e.getMessage())
                                        .startsWith(
                                                "cannot reach the schema registry at "
                                                        + registry.url()
                                                        + " for GET /schemas/ids/1: TLS handshake"
                                                        + " failed (")
                                        .endsWith(
                                                "); check ssl.truststore.* (and ssl.keystore.* if"
                                                        + " the registry requires client"
                                                        + " certificates)");
                            });
            assertThat(registry.requestCount()).isZero();
        }
    }

    @Test
    void keystoreAnswersARegistryThatRequiresClientCertificates() throws Exception {
        try (StandInSchemaRegistry registry = httpsRegistry(true)) {
            SchemaRegistryClient withCertificate =
                    config(
                                    registry,
                                    Map.of(
                                            RegistryConfig.SSL_TRUSTSTORE_LOCATION,
                                            clientTrust.toString(),
                                            RegistryConfig.SSL_TRUSTSTORE_PASSWORD,
                                            PASSWORD,
                                            RegistryConfig.SSL_KEYSTORE_LOCATION,
                                            clientKeys.toString(),
                                            RegistryConfig.SSL_KEYSTORE_PASSWORD,
                                            PASSWORD,
                                            RegistryConfig.SSL_KEYSTORE_TYPE,
                                            "PKCS12"))
                            .create();
            SchemaRegistryClient withoutCertificate =
                    config(
                                    registry,
                                    Map.of(
                                            RegistryConfig.SSL_TRUSTSTORE_LOCATION,
                                            clientTrust.toString(),
                                            RegistryConfig.SSL_TRUSTSTORE_PASSWORD,
                                            PASSWORD))
                            .create();

            int id = withCertificate.register("predictions-value", TestSchemas.FEEDBACK);

            assertThat(withCertificate.latest("predictions-value").id()).isEqualTo(id);
            assertThatThrownBy(() -> withoutCertificate.getById(id))
                    .asInstanceOf(type(SchemaRegistryException.class))
                    .extracting(SchemaRegistryException::isConnectionFailure)
                    .isEqualTo(true);
            assertThat(registry.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void wrongTruststorePasswordIsReportedAtCreation() {
        RegistryConfig config =
                new RegistryConfig(
                        "https://127.0.0.1:1",
                        null,
                        null,
                        Map.of(
                                RegistryConfig.SSL_TRUSTSTORE_LOCATION, clientTrust.toString(),
                                RegistryConfig.SSL_TRUSTSTORE_PASSWORD, "wrong",
                                RegistryConfig.SSL_TRUSTSTORE_TYPE, "PKCS12"));

        assertThatThrownBy(config::create)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "cannot read schema registry truststore "
                                + clientTrust
                                + " (wrong password or type?): ");
    }

    @Test
    void missingTruststoreIsReportedAtCreation() {
        Path missing = dir.resolve("missing.p12");
        RegistryConfig config =
                new RegistryConfig(
                        "https://127.0.0.1:1",
                        null,
                        null,
                        Map.of(RegistryConfig.SSL_TRUSTSTORE_LOCATION, missing.toString()));

        assertThatThrownBy(config::create)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema registry truststore "
                                + missing
                                + " does not exist or is unreadable");
    }

    private static RegistryConfig config(StandInSchemaRegistry registry, Map<String, String> ssl) {
        return new RegistryConfig(registry.url(), null, null, ssl);
    }

    private static StandInSchemaRegistry httpsRegistry(boolean needClientAuth) throws Exception {
        KeyManagerFactory keys =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(serverKeys), PASSWORD.toCharArray());
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(serverTrust));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return StandInSchemaRegistry.builder().tls(context, needClientAuth).build().start();
    }

    private static KeyStore load(Path path) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(
                    "keytool " + String.join(" ", args) + " failed (" + exit + "): " + output);
        }
    }
}
