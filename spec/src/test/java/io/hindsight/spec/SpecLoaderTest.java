package io.hindsight.spec;

import static io.hindsight.spec.SpecTesting.BASE;
import static io.hindsight.spec.SpecTesting.edit;
import static io.hindsight.spec.SpecTesting.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {

    @Test
    void appliesEveryDefault() {
        JobSpec spec = SpecLoader.parse(BASE, Map.of());

        assertThat(spec.version()).isEqualTo(1);
        assertThat(spec.kafka().groupId()).isEqualTo("hindsight-shop");
        assertThat(spec.kafka().properties()).isEmpty();
        assertThat(spec.kafka().schemaRegistry())
                .isEqualTo(new SchemaRegistrySpec("http://registry:8081", null, null, Map.of()));
        assertThat(spec.inputs().maxEventTimeLag()).isEqualTo(Duration.ofDays(400));
        assertThat(spec.inputs().maxEventTimeLead()).isEqualTo(Duration.ofDays(1));
        PredictionInput p = spec.inputs().predictions();
        assertThat(p.startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
        assertThat(p.eventTimeFormat()).isEqualTo(TimestampFormat.AUTO);
        assertThat(p.schemaFile()).isNull();
        assertThat(p.fields().scores()).isNull();
        assertThat(p.fields().outputText()).isNull();
        // A feature without a path reads the top-level field of its name.
        assertThat(p.features().get(0))
                .isEqualTo(
                        new FeatureSpec(
                                "amount",
                                FieldPath.parse("amount"),
                                FeatureType.NUMERIC,
                                List.of(),
                                null,
                                null));
        assertThat(spec.inputs().feedback().fields().feedbackId()).isNull();
        assertThat(spec.inputs().feedback().attributes()).isEmpty();
        assertThat(spec.join())
                .isEqualTo(
                        new JoinSpec(
                                Duration.ofDays(60),
                                Duration.ofHours(1),
                                Duration.ofDays(7),
                                Duration.ofMinutes(5),
                                Duration.ofMinutes(1),
                                FeedbackPolicy.FIRST,
                                EndOfInput.SAVEPOINT));
        assertThat(spec.iceberg().catalogName()).isEqualTo("hindsight");
        assertThat(spec.iceberg().namespace()).isEqualTo("hindsight");
        assertThat(spec.iceberg().catalogProperties())
                .containsExactly(
                        Map.entry("type", "hadoop"),
                        Map.entry(
                                "warehouse",
                                Path.of(".hindsight/warehouse")
                                        .toAbsolutePath()
                                        .toUri()
                                        .toString()));
        assertThat(spec.iceberg().catalogProperties().get("warehouse")).startsWith("file:/");
        assertThat(spec.iceberg().tables())
                .isEqualTo(
                        new TableNames(
                                "shop_predictions",
                                "shop_outcomes",
                                "shop_unmatched_feedback",
                                "shop_drift",
                                "shop_metrics",
                                "shop_alerts"));
        assertThat(spec.outputs())
                .isEqualTo(
                        new OutputsSpec(
                                "hindsight.shop.outcomes",
                                "hindsight.shop.dead-letter",
                                "hindsight.shop.drift",
                                "hindsight.shop.metrics",
                                "hindsight.shop.alerts"));
        assertThat(spec.drift())
                .isEqualTo(
                        new DriftSpec(
                                true,
                                Duration.ofHours(1),
                                DriftReference.rolling(24),
                                List.of("amount", "merchant"),
                                true,
                                1000,
                                100,
                                new DriftThresholds(0.1, 0.2, 0.1, null)));
        assertThat(spec.metrics())
                .isEqualTo(
                        new MetricsSpec(
                                true,
                                MetricsTask.BINARY_CLASSIFICATION,
                                Duration.ofDays(1),
                                List.of(List.of("country"), List.of("channel", "model_version")),
                                List.copyOf(MetricsTask.BINARY_CLASSIFICATION.allowedMetrics()),
                                0.5,
                                10,
                                ExpiredAs.NEGATIVE,
                                10));
        assertThat(spec.alerts())
                .containsExactly(
                        new AlertRuleSpec(
                                "auc-low",
                                AlertSource.METRICS,
                                MetricName.AUC,
                                null,
                                null,
                                List.of(),
                                new AlertCondition(ConditionType.BELOW, 0.8, null),
                                100,
                                Severity.WARNING,
                                null));
    }

    @Test
    void leftOutDriftAndMetricsAreDisabledNotNull() {
        String yaml =
                edit(
                        "drift: {}\n",
                        "",
                        "metrics:\n  task: binary-classification\n"
                                + "  slices: [[country], [channel, model_version]]\n"
                                + "alerts:\n  - name: auc-low\n    source: metrics\n"
                                + "    metric: auc\n    condition: {below: 0.8}\n",
                        "");

        JobSpec spec = SpecLoader.parse(yaml, Map.of());

        assertThat(spec.drift()).isEqualTo(DriftSpec.disabled());
        assertThat(spec.drift().enabled()).isFalse();
        assertThat(spec.metrics()).isEqualTo(MetricsSpec.disabled());
        assertThat(spec.alerts()).isEmpty();
    }

    @Test
    void readsEveryOptionalKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.avsc"), "{}");
        String yaml =
                """
                version: 1
                application: Shop.EU
                kafka:
                  bootstrap-servers: a:9092,b:9092
                  group-id: g1
                  properties: {security.protocol: SASL_SSL, sasl.mechanism: PLAIN, empty: ''}
                inputs:
                  max-event-time-lag: 30d
                  max-event-time-lead: 2h
                  predictions:
                    topic: p
                    format: avro
                    schema-file: p.avsc
                    starting-offsets: latest
                    event-time-format: epoch-seconds
                    fields:
                      join-key: id
                      event-time: ts
                      model-name: {value: gbm}
                      model-version: {value: '7'}
                      scores: out.scores
                      predicted-class: out.class
                      predicted-value: out.value
                      ranked-items: out.items
                      output-text: out.text
                      score: out.score
                    features:
                      - {name: prompt, path: in.prompt, type: text}
                      - {name: temperature, type: numeric, min: 0, max: 2.5}
                  feedback:
                    topic: f
                    format: json
                    starting-offsets: earliest
                    event-time-format: iso-8601
                    fields: {join-key: id, event-time: at, feedback-id: fid, label: y, label-class: c}
                    attributes: {source: meta.source}
                join:
                  label-window: 2w
                  early-feedback-hold: 90m
                  late-feedback-retention: P3D
                  out-of-orderness: 500ms
                  idleness: 45s
                  policy: last
                  end-of-input: drain
                iceberg:
                  catalog-name: lake
                  catalog: {type: rest, uri: 'http://rest:8181', io-impl: org.apache.iceberg.aws.s3.S3FileIO}
                  namespace: ml.monitoring
                  tables: {outcomes: shop_joined}
                outputs: {alerts-topic: ops.alerts}
                drift:
                  window: 30m
                  reference: {type: table, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z'}
                  features: [temperature]
                  model-outputs: false
                  sketch-k: 400
                  max-categories: 50
                  thresholds: {jensen-shannon: 0.2, psi: 0.25, wasserstein: 0.3, p-value: 0.001}
                  false-alarm-rate: 0.05
                  min-values: 100
                  null-samples: 500
                  rate-shift: {model-outputs: false, max-share: 0.1, min-relative-change: 0.5, min-count: 10}
                metrics:
                  task: multiclass-classification
                  window: 6h
                  metrics: [accuracy, log-loss]
                  calibration-bins: 20
                alerts:
                  - name: temp-drift
                    source: drift
                    feature: temperature
                    statistic: kolmogorov-smirnov
                    condition: {above: 0.2}
                    p-value: 0.01
                    min-support: 5
                    severity: critical
                  - name: accuracy-drop
                    source: metrics
                    metric: accuracy
                    condition: {drop: 0.1, baseline: 2d}
                """;
        Path file = Files.writeString(dir.resolve("spec.yaml"), yaml.replace("Shop.EU", "shop-eu"));

        JobSpec spec = SpecLoader.load(file, Map.of());

        assertThat(spec.kafka())
                .isEqualTo(
                        new KafkaSpec(
                                "a:9092,b:9092",
                                "g1",
                                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"),
                                null));
        assertThat(spec.inputs().maxEventTimeLag()).isEqualTo(Duration.ofDays(30));
        assertThat(spec.inputs().maxEventTimeLead()).isEqualTo(Duration.ofHours(2));
        PredictionInput p = spec.inputs().predictions();
        assertThat(p.schemaFile()).isEqualTo(dir.resolve("p.avsc").toAbsolutePath().toString());
        assertThat(p.startingOffsets()).isEqualTo(StartingOffsets.LATEST);
        assertThat(p.eventTimeFormat()).isEqualTo(TimestampFormat.EPOCH_SECONDS);
        assertThat(p.fields())
                .isEqualTo(
                        new PredictionFields(
                                FieldPath.parse("id"),
                                FieldPath.parse("ts"),
                                ValueSource.ofConstant("gbm"),
                                ValueSource.ofConstant("7"),
                                FieldPath.parse("out.score"),
                                FieldPath.parse("out.scores"),
                                FieldPath.parse("out.class"),
                                FieldPath.parse("out.value"),
                                FieldPath.parse("out.items"),
                                FieldPath.parse("out.text")));
        assertThat(p.features())
                .containsExactly(
                        new FeatureSpec(
                                "prompt",
                                FieldPath.parse("in.prompt"),
                                FeatureType.TEXT,
                                List.of(TextProjection.LENGTH, TextProjection.TOKEN_COUNT),
                                null,
                                null),
                        new FeatureSpec(
                                "temperature",
                                FieldPath.parse("temperature"),
                                FeatureType.NUMERIC,
                                List.of(),
                                0.0,
                                2.5));
        FeedbackInput f = spec.inputs().feedback();
        assertThat(f.format()).isEqualTo(InputFormat.JSON);
        assertThat(f.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
        assertThat(f.eventTimeFormat()).isEqualTo(TimestampFormat.ISO_8601);
        assertThat(f.fields())
                .isEqualTo(
                        new FeedbackFields(
                                FieldPath.parse("id"),
                                FieldPath.parse("at"),
                                FieldPath.parse("fid"),
                                FieldPath.parse("y"),
                                FieldPath.parse("c")));
        assertThat(f.attributes())
                .containsExactly(Map.entry("source", FieldPath.parse("meta.source")));
        assertThat(spec.join())
                .isEqualTo(
                        new JoinSpec(
                                Duration.ofDays(14),
                                Duration.ofMinutes(90),
                                Duration.ofDays(3),
                                Duration.ofMillis(500),
                                Duration.ofSeconds(45),
                                FeedbackPolicy.LAST,
                                EndOfInput.DRAIN));
        assertThat(spec.iceberg().catalogName()).isEqualTo("lake");
        assertThat(spec.iceberg().catalogProperties())
                .containsExactly(
                        Map.entry("type", "rest"),
                        Map.entry("uri", "http://rest:8181"),
                        Map.entry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO"));
        assertThat(spec.iceberg().namespace()).isEqualTo("ml.monitoring");
        assertThat(spec.iceberg().tables().outcomes()).isEqualTo("shop_joined");
        assertThat(spec.iceberg().tables().predictions()).isEqualTo("shop_eu_predictions");
        assertThat(spec.outputs().alertsTopic()).isEqualTo("ops.alerts");
        assertThat(spec.outputs().metricsTopic()).isEqualTo("hindsight.shop-eu.metrics");
        assertThat(spec.drift())
                .isEqualTo(
                        new DriftSpec(
                                true,
                                Duration.ofMinutes(30),
                                new DriftReference(
                                        ReferenceType.TABLE,
                                        0,
                                        null,
                                        Instant.parse("2026-01-01T00:00:00Z"),
                                        Instant.parse("2026-02-01T00:00:00Z")),
                                List.of("temperature"),
                                false,
                                400,
                                50,
                                new DriftThresholds(0.2, 0.25, 0.3, 0.001),
                                new DriftDecision(
                                        0.05,
                                        100,
                                        500,
                                        new DriftDecision.RateShift(
                                                false, List.of(), 0.1, 0.5, 10))));
        assertThat(spec.metrics())
                .isEqualTo(
                        new MetricsSpec(
                                true,
                                MetricsTask.MULTICLASS_CLASSIFICATION,
                                Duration.ofHours(6),
                                List.of(),
                                List.of(MetricName.ACCURACY, MetricName.LOG_LOSS),
                                0.5,
                                10,
                                ExpiredAs.EXCLUDED,
                                20));
        assertThat(spec.alerts())
                .containsExactly(
                        new AlertRuleSpec(
                                "temp-drift",
                                AlertSource.DRIFT,
                                null,
                                "temperature",
                                DriftStatistic.KOLMOGOROV_SMIRNOV,
                                List.of(),
                                new AlertCondition(ConditionType.ABOVE, 0.2, null),
                                5,
                                Severity.CRITICAL,
                                0.01),
                        new AlertRuleSpec(
                                "accuracy-drop",
                                AlertSource.METRICS,
                                MetricName.ACCURACY,
                                null,
                                null,
                                List.of(),
                                new AlertCondition(ConditionType.DROP, 0.1, Duration.ofDays(2)),
                                100,
                                Severity.WARNING,
                                null));
    }

    @Test
    void estimationKeysAreReadAndDefaulted() {
        assertThat(SpecLoader.parse(edit(), Map.of()).metrics().estimation())
                .isEqualTo(new EstimationSpec(0.99, 0.05, 1000, 7));
        String yaml =
                edit(
                        "task: binary-classification",
                        "task: binary-classification\n"
                                + "  estimation: {confidence: 0.9, calibration-bound: 0.02,"
                                + " min-reference-rows: 500, reference-cohorts: 14}");
        assertThat(SpecLoader.parse(yaml, Map.of()).metrics().estimation())
                .isEqualTo(new EstimationSpec(0.9, 0.02, 500, 14));
    }

    @Test
    void maintenanceKeysAreReadAndDefaulted() {
        MaintenanceSpec defaults = SpecLoader.parse(BASE, Map.of()).maintenance();
        assertThat(defaults)
                .isEqualTo(
                        new MaintenanceSpec(
                                false,
                                Duration.ofMinutes(1),
                                50,
                                128L * 1024 * 1024,
                                5,
                                Duration.ofHours(1),
                                Duration.ofDays(7),
                                100,
                                Duration.ofDays(1),
                                Duration.ofDays(3),
                                null,
                                Map.of()));
        String yaml =
                BASE
                        + """
                        maintenance:
                          in-job: true
                          check-interval: 30s
                          compaction: {every-commits: 20, target-file-size-mb: 256, min-input-files: 3}
                          expire-snapshots: {every: 2h, older-than: 14d, retain-last: 10}
                          orphan-files: {every: 12h, older-than: 5d}
                          lock:
                            jdbc-uri: jdbc:sqlite:/tmp/locks.db
                            properties: {user: hs, password: '${env:LOCK_PASSWORD}'}
                        """;
        MaintenanceSpec m = SpecLoader.parse(yaml, Map.of("LOCK_PASSWORD", "s3cret")).maintenance();
        assertThat(m)
                .isEqualTo(
                        new MaintenanceSpec(
                                true,
                                Duration.ofSeconds(30),
                                20,
                                256L * 1024 * 1024,
                                3,
                                Duration.ofHours(2),
                                Duration.ofDays(14),
                                10,
                                Duration.ofHours(12),
                                Duration.ofDays(5),
                                "jdbc:sqlite:/tmp/locks.db",
                                Map.of("user", "hs", "password", "s3cret")));
        assertThat(m.toString()).doesNotContain("s3cret");
    }

    @Test
    void multiclassDefaultsLeaveOutScoreMetricsWithoutScores() {
        String yaml =
                edit(
                        "task: binary-classification",
                        "task: multiclass-classification",
                        "score: score",
                        "predicted-class: label",
                        "label: is_fraud",
                        "label-class: is_fraud",
                        "metric: auc",
                        "metric: f1");

        assertThat(SpecLoader.parse(yaml, Map.of()).metrics().metrics())
                .containsExactly(
                        MetricName.COUNT,
                        MetricName.ACCURACY,
                        MetricName.PRECISION,
                        MetricName.RECALL,
                        MetricName.F1,
                        MetricName.LABEL_COVERAGE,
                        MetricName.LABEL_DELAY,
                        MetricName.LABEL_DELAY_P99,
                        MetricName.FALSE_POSITIVE_RATE);
    }

    @Test
    void envSubstitutionWorksInAnyScalarWithDefaults() {
        String yaml =
                edit(
                        "bootstrap-servers: localhost:9092",
                        "bootstrap-servers: ${env:BROKERS:-localhost:9092}\n"
                                + "  properties: {sasl.jaas.config: '${env:JAAS}',"
                                + " ssl.key.password: '${env:KEY_PW:-}'}",
                        "label-window: 60d",
                        "label-window: ${env:WINDOW_DAYS}d");

        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"a\" password=\"b\";";
        JobSpec spec = SpecLoader.parse(yaml, Map.of("JAAS", jaas, "WINDOW_DAYS", "30"));

        assertThat(spec.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        // An empty value leaves the property unset rather than set to "".
        assertThat(spec.kafka().properties()).containsExactly(Map.entry("sasl.jaas.config", jaas));
        assertThat(spec.join().labelWindow()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void reportsEveryErrorAtOnceInFileOrder() {
        String yaml =
                edit(
                        "application: shop", "application: Shop",
                        "topic: feedback", "topic: predictions",
                        "event-time: request.ts", "event-time: request..ts",
                        "label-window: 60d", "lable-window: 60d",
                        "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version], [contry]]",
                        "metric: auc", "metric: mae");

        assertThat(errors(yaml))
                .containsExactly(
                        "application (line 2): invalid application name 'Shop' — expected"
                                + " lower-case letters, digits, _ and -, at most 100",
                        "inputs.predictions.fields.event-time (line 13): invalid field path"
                                + " 'request..ts' — expected names separated by dots, each a"
                                + " letter or _ followed by letters, digits, _ or -, e.g."
                                + " request.id",
                        "inputs.feedback.topic (line 26): same topic as"
                                + " inputs.predictions.topic 'predictions' — expected a"
                                + " different topic",
                        "join.lable-window (line 33): unknown key (did you mean"
                                + " 'label-window'?)",
                        "metrics.slices[2][0] (line 37): unknown field 'contry' (known:"
                                + " country, channel, merchant, model_version)",
                        "alerts[0].metric (line 41): metric 'mae' is not in metrics.metrics —"
                                + " expected one of: count, accuracy, precision, recall, f1,"
                                + " auc, log-loss, calibration-error, score-mean,"
                                + " label-coverage, label-delay, label-delay-p99,"
                                + " confusion-matrix, false-positive-rate, brier-score,"
                                + " base-rate, predicted-positive-rate, estimated-accuracy,"
                                + " estimated-precision, estimated-recall, estimated-f1,"
                                + " estimated-auc, accuracy-delta, precision-delta,"
                                + " recall-delta, f1-delta, auc-delta");
    }

    @Test
    void exceptionMessageListsEveryErrorOnItsOwnLine() {
        String yaml = edit("label-window: 60d", "label-window: 60", "version: 1", "version: 3");

        assertThatThrownBy(() -> SpecLoader.parse(yaml, Map.of()))
                .isInstanceOf(SpecException.class)
                .hasMessage(
                        "version (line 1): unsupported version '3' — expected 1\n"
                                + "join.label-window (line 33): invalid duration '60' — expected"
                                + " a number with a unit (ms, s, m, h, d, w), e.g. 60d")
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void validatorChecksSpecsBuiltInCode() {
        JobSpec valid = SpecLoader.parse(BASE, Map.of());
        JobSpec broken =
                new JobSpec(
                        valid.version(),
                        valid.application(),
                        valid.kafka(),
                        valid.inputs(),
                        new JoinSpec(
                                Duration.ofHours(1),
                                Duration.ofHours(2),
                                Duration.ofDays(7),
                                Duration.ofMinutes(5),
                                Duration.ofMinutes(1),
                                FeedbackPolicy.FIRST,
                                EndOfInput.DRAIN),
                        valid.iceberg(),
                        valid.outputs(),
                        valid.drift(),
                        valid.metrics(),
                        valid.alerts());

        assertThat(SpecValidator.validate(valid)).isEmpty();
        assertThat(SpecValidator.validate(broken))
                .containsExactly(
                        new SpecError(
                                "join.early-feedback-hold",
                                0,
                                "'2h' is longer than join.label-window '1h' — expected at most"
                                        + " the label window"));
        assertThat(SpecValidator.validate(broken).get(0).toString())
                .isEqualTo(
                        "join.early-feedback-hold: '2h' is longer than join.label-window '1h' —"
                                + " expected at most the label window");
    }
}
