package io.hindsight.spec;

import java.io.Serializable;
import java.util.Map;

/**
 * A Confluent-compatible schema registry; username and password are both null or both set, and
 * {@code properties} carry client settings such as {@code ssl.truststore.location}.
 */
public record SchemaRegistrySpec(
        String url, String username, String password, Map<String, String> properties)
        implements Serializable {

    public SchemaRegistrySpec {
        properties = Collections2.map(properties);
    }

    /** Never shows the password: specs end up in logs and exception messages. */
    @Override
    public String toString() {
        return "SchemaRegistrySpec[url="
                + SpecSecrets.maskUrl(url)
                + ", username="
                + username
                + ", password="
                + (password == null ? "null" : "****")
                + ", properties="
                + properties.keySet()
                + "]";
    }
}
