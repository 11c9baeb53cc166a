package io.hindsight.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExampleSpecsTest {

    static Path examples() {
        Path home = Path.of(System.getProperty("hindsight.home", "..")).toAbsolutePath();
        Path dir = home.resolve("examples");
        return Files.isDirectory(dir) ? dir : Path.of("..", "examples").toAbsolutePath();
    }

    static JobSpec load(String app) {
        return SpecLoader.load(examples().resolve(app).resolve("spec.yaml"), Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fraud", "recommender", "llm-assistant"})
    void exampleLoadsAndMatchesItsProducersSchemas(String app) {
        JobSpec spec = load(app);

        assertThat(spec.application()).isEqualTo(app);
        assertThat(spec.inputs().predictions().schemaFile()).isNotNull();
        assertThat(spec.inputs().feedback().schemaFile()).isNotNull();
        assertThat(SpecSchemaCheck.check(spec)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fraud", "recommender", "llm-assistant"})
    void exampleSurvivesJavaSerialization(String app) throws Exception {
        JobSpec spec = load(app);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(spec);
        }
    }

    @org.junit.jupiter.api.Test
    void fraudExampleMapsThePaymentTeamsFields() {
        JobSpec spec = load("fraud");
        PredictionInput p = spec.inputs().predictions();
        FeedbackInput f = spec.inputs().feedback();

        assertThat(p.format()).isEqualTo(InputFormat.AVRO_CONFLUENT);
        assertThat(p.schemaFile())
                .isEqualTo(examples().resolve("fraud/prediction.avsc").normalize().toString());
        assertThat(p.fields().joinKey()).hasToString("request.id");
        assertThat(p.fields().eventTime().segments()).containsExactly("request", "ts");
        assertThat(p.fields().modelVersion().path()).hasToString("model.version");
        assertThat(p.fields().score()).hasToString("fraud_probability");
        assertThat(p.features())
                .extracting(FeatureSpec::name, FeatureSpec::type)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("amount", FeatureType.NUMERIC),
                        org.assertj.core.groups.Tuple.tuple(
                                "account_age_days", FeatureType.NUMERIC),
                        org.assertj.core.groups.Tuple.tuple(
                                "merchant_category", FeatureType.CATEGORICAL),
                        org.assertj.core.groups.Tuple.tuple(
                                "card_present", FeatureType.CATEGORICAL));
        assertThat(p.tags().keySet()).containsExactly("country", "channel");
        assertThat(f.eventTimeFormat()).isEqualTo(TimestampFormat.EPOCH_MILLIS);
        assertThat(f.fields().feedbackId()).hasToString("chargeback_id");
        assertThat(f.fields().label()).hasToString("is_fraud");
        assertThat(f.attributes()).containsOnlyKeys("reason_code");
        assertThat(spec.join().labelWindow()).isEqualTo(Duration.ofDays(60));
        assertThat(spec.join().policy()).isEqualTo(FeedbackPolicy.FIRST);
        assertThat(spec.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(spec.kafka().schemaRegistry().password()).isNull();
        assertThat(spec.metrics().slices())
                .containsExactly(
                        List.of("country"),
                        List.of("channel"),
                        List.of("country", "model_version"));
        assertThat(spec.alerts())
                .extracting(AlertRuleSpec::name)
                .containsExactly("auc-low", "recall-drop", "score-drift", "amount-drift");
        // The Wasserstein rule has no condition: it alerts where drift.thresholds flags drift.
        assertThat(spec.alerts().get(3).condition())
                .isEqualTo(new AlertCondition(ConditionType.ABOVE, 0.1, null));
    }

    @org.junit.jupiter.api.Test
    void secretsComeFromTheEnvironment() {
        JobSpec spec =
                SpecLoader.load(
                        examples().resolve("fraud/spec.yaml"),
                        Map.of(
                                "SCHEMA_REGISTRY_USER", "svc-hindsight",
                                "SCHEMA_REGISTRY_PASSWORD", "s3cret",
                                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093"));

        assertThat(spec.kafka().bootstrapServers()).isEqualTo("broker-1:9093");
        assertThat(spec.kafka().schemaRegistry().username()).isEqualTo("svc-hindsight");
        assertThat(spec.kafka().schemaRegistry().password()).isEqualTo("s3cret");
        assertThat(spec.kafka().schemaRegistry().toString()).doesNotContain("s3cret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fraud", "recommender", "llm-assistant"})
    void anotherWindowKeepsEveryOtherSetting(String app) throws Exception {
        JobSpec spec = load(app);
        Duration week = Duration.ofDays(7);

        MetricsSpec metrics = spec.metrics().withWindow(week);
        assertThat(metrics.window()).isEqualTo(week);
        assertThat(metrics)
                .usingRecursiveComparison()
                .ignoringFields("window")
                .isEqualTo(spec.metrics());

        DriftSpec drift = spec.drift().withWindow(week, DriftReference.rolling(7));
        assertThat(drift.window()).isEqualTo(week);
        assertThat(drift.reference()).isEqualTo(DriftReference.rolling(7));
        assertThat(drift)
                .usingRecursiveComparison()
                .ignoringFields("window", "reference")
                .isEqualTo(spec.drift());
    }
}
