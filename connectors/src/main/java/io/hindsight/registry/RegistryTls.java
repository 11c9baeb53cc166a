package io.hindsight.registry;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the client's {@link SSLContext} from the Kafka-style {@code ssl.*} properties. */
final class RegistryTls {

    private RegistryTls() {}

    /**
     * The SSL context for {@code properties}, or the JVM default when no truststore or keystore is
     * configured (public CAs, or a truststore given via {@code javax.net.ssl.*}).
     */
    static SSLContext sslContext(Map<String, String> properties) {
        String trustLocation = properties.get(RegistryConfig.SSL_TRUSTSTORE_LOCATION);
        String keyLocation = properties.get(RegistryConfig.SSL_KEYSTORE_LOCATION);
        try {
            if (trustLocation == null && keyLocation == null) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory trust = null;
            if (trustLocation != null) {
                KeyStore store =
                        load(
                                "truststore",
                                trustLocation,
                                properties.get(RegistryConfig.SSL_TRUSTSTORE_PASSWORD),
                                properties.get(RegistryConfig.SSL_TRUSTSTORE_TYPE));
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            if (keyLocation != null) {
                String storePassword = properties.get(RegistryConfig.SSL_KEYSTORE_PASSWORD);
                KeyStore store =
                        load(
                                "keystore",
                                keyLocation,
                                storePassword,
                                properties.get(RegistryConfig.SSL_KEYSTORE_TYPE));
                String keyPassword =
                        properties.getOrDefault(RegistryConfig.SSL_KEY_PASSWORD, storePassword);
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keys == null ? null : keys.getKeyManagers(),
                    trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String what, String location, String password, String type)
            throws GeneralSecurityException {
        Path path = Path.of(location);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(
                    "schema registry "
                            + what
                            + " "
                            + location
                            + " does not exist or is unreadable");
        }
        char[] secret = password == null ? null : password.toCharArray();
        try {
            if (type == null) {
                // Probes the file: PKCS12 and JKS both load without naming the type.
                return KeyStore.getInstance(new File(location), secret);
            }
            KeyStore store = KeyStore.getInstance(type);
            try (InputStream in = Files.newInputStream(path)) {
                store.load(in, secret);
            }
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read schema registry "
                            + what
                            + " "
                            + location
                            + " (wrong password or type?): "
                            + e.getMessage(),
                    e);
        }
    }
}
