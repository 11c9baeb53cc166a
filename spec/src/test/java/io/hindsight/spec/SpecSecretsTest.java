package io.hindsight.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets never show in a spec record's {@code toString}, and are found for redaction. */
class SpecSecretsTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc\""
                    + " password=\"JAASPW-1\";";

    static JobSpec specWithSecrets() {
        String yaml =
                SpecTesting.edit(
                        "bootstrap-servers: localhost:9092",
                        "bootstrap-servers: localhost:9092\n"
                                + "  properties:\n"
                                + "    security.protocol: SASL_SSL\n"
                                + "    sasl.mechanism: SCRAM-SHA-512\n"
                                + "    sasl.jaas.config: ${env:JAAS}\n"
                                + "    ssl.truststore.password: ${env:TRUSTPW}\n"
                                + "    ssl.truststore.location: /etc/kafka/truststore.jks",
                        "url: http://registry:8081",
                        "url: https://bob:URLPW-3@registry:8081\n"
                                + "    username: svc\n"
                                + "    password: ${env:REGPW}",
                        "drift: {}",
                        "iceberg:\n  catalog:\n    type: rest\n    uri: https://catalog:8181\n"
                                + "    credential: ${env:CATCRED}\ndrift: {}");
        return SpecLoader.parse(
                yaml,
                Map.of(
                        "JAAS", JAAS,
                        "TRUSTPW", "TRUSTPW-2",
                        "REGPW", "REGPW-4",
                        "CATCRED", "client:CATCRED-5'x"));
    }

    @Test
    void toStringOfEverySpecRecordMasksSecrets() {
        JobSpec spec = specWithSecrets();
        for (String shown :
                new String[] {
                    spec.toString(),
                    spec.kafka().toString(),
                    spec.kafka().schemaRegistry().toString(),
                    spec.iceberg().toString()
                }) {
            assertThat(shown)
                    .doesNotContain("JAASPW-1", "TRUSTPW-2", "URLPW-3", "REGPW-4", "CATCRED-5")
                    .doesNotContain("ScramLoginModule");
        }
        assertThat(spec.kafka().toString())
                .contains("sasl.jaas.config=****", "ssl.truststore.password=****")
                .contains("security.protocol=SASL_SSL")
                .contains("url=https://****@registry:8081");
        assertThat(spec.iceberg().toString())
                .contains("credential=****", "uri=https://catalog:8181");
    }

    @Test
    void secretNamesAndUrls() {
        assertThat(SpecSecrets.isSecretKey("ssl.key.password")).isTrue();
        assertThat(SpecSecrets.isSecretKey("s3.secret-access-key")).isTrue();
        assertThat(SpecSecrets.isSecretKey("token")).isTrue();
        assertThat(SpecSecrets.isSecretKey("security.protocol")).isFalse();
        assertThat(SpecSecrets.maskUrl("https://bob:PW@h:1/x?y=1"))
                .isEqualTo("https://****@h:1/x?y=1");
        assertThat(SpecSecrets.maskUrl("http://h:1/a@b")).isEqualTo("http://h:1/a@b");
    }

    @Test
    void valuesFindEverySecretAndRedactMasksThemInTheirQuotedForms() {
        JobSpec spec = specWithSecrets();
        var secrets = SpecSecrets.values(spec);
        assertThat(secrets)
                .contains(JAAS, "JAASPW-1", "TRUSTPW-2", "URLPW-3", "REGPW-4")
                .contains("client:CATCRED-5'x", "CATCRED-5'x")
                .doesNotContain("SASL_SSL", "svc", "bob", "https://catalog:8181");
        String echoed =
                "'credential'='client:CATCRED-5''x', password=\\\"JAASPW-1\\\" https://bob:URLPW-3@r";
        assertThat(SpecSecrets.redact(echoed, secrets))
                .isEqualTo("'credential'='****', password=\\\"****\\\" https://****@r");
    }
}
