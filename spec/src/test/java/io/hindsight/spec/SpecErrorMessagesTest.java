package io.hindsight.spec;

import static io.hindsight.spec.SpecTesting.edit;
import static io.hindsight.spec.SpecTesting.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message a user can get for an invalid spec, pinned word for word. */
class SpecErrorMessagesTest {

    private static final String REGISTRY = "  schema-registry:\n    url: http://registry:8081\n";
    private static final String ALERT =
            "source: metrics\n    metric: auc\n    condition: {below: 0.8}";
    private static final String END = "    condition: {below: 0.8}\n";

    static Stream<Arguments> documents() {
        return Stream.of(
                arguments(
                        "",
                        "spec: empty document — expected a mapping with version,"
                                + " application, kafka, inputs and join"),
                arguments(
                        "- a\n",
                        "spec (line 1): expected a mapping with version, application,"
                                + " kafka, inputs and join, got a list"),
                arguments(
                        "version: 1\n  application: x\n",
                        "spec (line 2): invalid YAML —" + " mapping values are not allowed here"));
    }

    @org.junit.jupiter.api.Test
    void aTagMayBeACategoricalFeatureReadFromTheSamePath() {
        // One field, two roles: a model input watched for drift and a dimension to slice by.
        JobSpec spec =
                SpecLoader.parse(
                        edit(
                                "channel: context.channel",
                                "merchant: merchant",
                                "[channel, model_version]",
                                "[merchant, model_version]"),
                        java.util.Map.of());
        assertThat(spec.inputs().predictions().tags())
                .containsEntry("merchant", FieldPath.parse("merchant"));
        assertThat(spec.inputs().predictions().features())
                .anySatisfy(
                        f -> {
                            assertThat(f.name()).isEqualTo("merchant");
                            assertThat(f.type()).isEqualTo(FeatureType.CATEGORICAL);
                        });
        assertThat(spec.metrics().slices()).contains(List.of("merchant", "model_version"));
    }

    @ParameterizedTest
    @MethodSource("documents")
    void documentErrors(String yaml, String expected) {
        assertThat(errors(yaml)).containsExactly(expected);
    }

    static Stream<Arguments> parserErrors() {
        return Stream.of(
                arguments(
                        edit("application: shop", "application: Shop!"),
                        List.of(
                                "application (line 2): invalid application name 'Shop!' — expected"
                                        + " lower-case letters, digits, _ and -, at most 100")),
                arguments(
                        edit("join:\n  label-window: 60d\n", ""),
                        List.of("join (line 1): missing required key — expected a mapping")),
                arguments(
                        edit("drift: {}", "drift: []"),
                        List.of("drift (line 34): expected a mapping of keys, got a list")),
                arguments(
                        edit("topic: predictions", "topic: {name: predictions}"),
                        List.of(
                                "inputs.predictions.topic (line 9): expected a single value, got a"
                                        + " mapping")),
                arguments(
                        edit("topic: predictions", "topic: ''"),
                        List.of(
                                "inputs.predictions.topic (line 9): empty value — expected a topic name")),
                arguments(
                        edit("topic: feedback", "topic: feed back"),
                        List.of(
                                "inputs.feedback.topic (line 26): invalid topic name 'feed back' —"
                                        + " expected letters, digits, '.', '_' and '-', at most 249")),
                arguments(
                        edit(
                                "    topic: predictions\n",
                                "    topic: predictions\n    schema-file: /nonexistent/p.avsc\n"),
                        List.of(
                                "inputs.predictions.schema-file (line 10): file not found"
                                        + " '/nonexistent/p.avsc' — resolved to /nonexistent/p.avsc")),
                arguments(
                        edit("join-key: request.id", "join-key: request..id"),
                        List.of(
                                "inputs.predictions.fields.join-key (line 12): invalid field path"
                                        + " 'request..id' — expected names separated by dots, each a"
                                        + " letter or _ followed by letters, digits, _ or -, e.g."
                                        + " request.id")),
                arguments(
                        edit("model-name: model.name", "model-name: {name: fraud}"),
                        List.of(
                                "inputs.predictions.fields.model-name.value (line 14): missing required"
                                        + " key — expected the constant, e.g. fraud-gbm",
                                "inputs.predictions.fields.model-name.name (line 14): unknown key"
                                        + " (known: value)")),
                arguments(
                        edit("- name: amount", "- name: Amount"),
                        List.of(
                                "inputs.predictions.features[0].name (line 18): invalid name 'Amount' —"
                                        + " expected lower-case letters, digits and _, starting with a"
                                        + " letter")),
                arguments(
                        edit("type: categorical", "kind: categorical"),
                        List.of(
                                "inputs.predictions.features[1].type (line 20): missing required key —"
                                        + " expected one of: numeric, categorical, text",
                                "inputs.predictions.features[1].kind (line 21): unknown key (known:"
                                        + " name, path, type, projections, min, max)")),
                arguments(
                        edit("country: context.country", "Country: context.country"),
                        List.of(
                                "inputs.predictions.tags.Country (line 23): invalid name 'Country' —"
                                        + " expected lower-case letters, digits and _, starting with a"
                                        + " letter",
                                "metrics.slices[0][0] (line 37): unknown field 'country' (known:"
                                        + " channel, merchant, model_version)")),
                arguments(
                        edit("label-window: 60d", "label-window: sixty days"),
                        List.of(
                                "join.label-window (line 33): invalid duration 'sixty days' — expected a"
                                        + " number with a unit (ms, s, m, h, d, w), e.g. 60d")),
                arguments(
                        edit("label-window: 60d", "label-window: 0d"),
                        List.of(
                                "join.label-window (line 33): invalid duration '0d' — expected a"
                                        + " positive duration, e.g. 60d")),
                arguments(
                        edit("label-window: 60d", "label-window: 60d\n  label-window: 30d"),
                        List.of(
                                "join.label-window (line 34): duplicate key — first given on"
                                        + " line 33")),
                arguments(
                        edit("label-window: 60d", "lable-window: 60d"),
                        List.of(
                                "join.lable-window (line 33): unknown key (did you mean"
                                        + " 'label-window'?)")),
                arguments(
                        edit("drift: {}", "drift: {colour: red}"),
                        List.of(
                                "drift.colour (line 34): unknown key (known: enabled, window, reference,"
                                        + " features, model-outputs, sketch-k, max-categories,"
                                        + " thresholds, false-alarm-rate, min-values, null-samples,"
                                        + " rate-shift)")),
                arguments(
                        edit("drift: {}", "drift: {false-alarm-rate: 0.7}"),
                        List.of(
                                "drift.false-alarm-rate (line 34): invalid number '0.7' — expected"
                                        + " a number above 0 and below 0.5")),
                arguments(
                        edit("drift: {}", "drift: {null-samples: 50, min-values: 0}"),
                        List.of(
                                "drift.min-values (line 34): invalid number '0' — expected at"
                                        + " least 1",
                                "drift.null-samples (line 34): invalid number '50' — expected 100"
                                        + " to 100000")),
                arguments(
                        edit(
                                "drift: {}",
                                "drift: {rate-shift: {max-share: 1, min-count: 0, colour: red}}"),
                        List.of(
                                "drift.rate-shift.max-share (line 34): invalid number '1' —"
                                        + " expected a number above 0 and below 1",
                                "drift.rate-shift.min-count (line 34): invalid number '0' —"
                                        + " expected at least 1",
                                "drift.rate-shift.colour (line 34): unknown key (known:"
                                        + " model-outputs, features, max-share, min-relative-change,"
                                        + " min-count)")),
                arguments(
                        edit("drift: {}", "drift: {[a]: 1}"),
                        List.of("drift (line 34): expected a plain key, got a list")),
                arguments(
                        edit("version: 1", "version: one"),
                        List.of(
                                "version (line 1): invalid number 'one' — expected a whole number")),
                arguments(
                        edit("version: 1", "version: 0"),
                        List.of("version (line 1): invalid number '0' — expected at least 1")),
                arguments(
                        edit("drift: {}", "drift: {sketch-k: 4}"),
                        List.of(
                                "drift.sketch-k (line 34): invalid number '4' — expected 8 to 65535")),
                arguments(
                        edit("type: numeric", "type: numeric\n        min: low"),
                        List.of(
                                "inputs.predictions.features[0].min (line 20): invalid number 'low' —"
                                        + " expected a number, e.g. 0.5")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: binary-classification\n  positive-threshold: 1"),
                        List.of(
                                "metrics.positive-threshold (line 37): invalid number '1' — expected a"
                                        + " number above 0 and below 1")),
                arguments(
                        edit("drift: {}", "drift: {thresholds: {psi: -1, jensen-shannon: 2}}"),
                        List.of(
                                "drift.thresholds.jensen-shannon (line 34): invalid number '2' —"
                                        + " expected a number above 0 and at most 1",
                                "drift.thresholds.psi (line 34): invalid number '-1' — expected"
                                        + " a number above 0")),
                arguments(
                        edit("drift: {}", "drift: {enabled: yes}"),
                        List.of(
                                "drift.enabled (line 34): invalid value 'yes' — expected true or false")),
                arguments(
                        edit("task: binary-classification", "task: binary"),
                        List.of(
                                "metrics.task (line 36): invalid value 'binary' — expected one of:"
                                        + " binary-classification, multiclass-classification,"
                                        + " regression, ranking, llm-feedback")),
                arguments(
                        edit(
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version]]\n  metrics: [auc, auc, roc]"),
                        List.of(
                                "metrics.metrics[1] (line 38): duplicate value 'auc' — list each"
                                        + " once",
                                "metrics.metrics[2] (line 38): invalid value 'roc' — expected"
                                        + " one of: count, accuracy, precision, recall, f1, auc,"
                                        + " log-loss, calibration-error, mae, rmse, mape, bias,"
                                        + " ctr, precision-at-k, thumbs-up-rate, score-mean,"
                                        + " label-coverage, label-delay, label-delay-p99,"
                                        + " confusion-matrix, false-positive-rate, brier-score,"
                                        + " base-rate, predicted-positive-rate,"
                                        + " estimated-accuracy, estimated-precision,"
                                        + " estimated-recall, estimated-f1, estimated-auc,"
                                        + " accuracy-delta, precision-delta, recall-delta,"
                                        + " f1-delta, auc-delta")),
                arguments(
                        edit("slices: [[country], [channel, model_version]]", "slices: country"),
                        List.of("metrics.slices (line 37): expected a list, got 'country'")),
                arguments(
                        edit("slices: [[country], [channel, model_version]]", "slices: [country]"),
                        List.of(
                                "metrics.slices[0] (line 37): expected a list of dimension names,"
                                        + " e.g. [country, model_version], got 'country'")),
                arguments(
                        edit("drift: {}", "drift: {features: some}"),
                        List.of(
                                "drift.features (line 34): invalid value 'some' — expected all or a list"
                                        + " of feature names")),
                arguments(
                        edit(
                                "drift: {}",
                                "drift: {reference: {type: profile, file: p.json, windows: 3}}"),
                        List.of(
                                "drift.reference.windows (line 34): not used with reference type"
                                        + " 'profile' — used with rolling")),
                arguments(
                        edit("drift: {}", "drift: {reference: {type: profile}}"),
                        List.of(
                                "drift.reference.file (line 34): missing required key — expected the"
                                        + " path of a profile file")),
                arguments(
                        edit("drift: {}", "drift: {reference: {type: table}}"),
                        List.of(
                                "drift.reference.from (line 34): missing required key — expected an"
                                        + " ISO-8601 instant, e.g. 2026-01-01T00:00:00Z",
                                "drift.reference.to (line 34): missing required key — expected an"
                                        + " ISO-8601 instant, e.g. 2026-02-01T00:00:00Z")),
                arguments(
                        edit(
                                "drift: {}",
                                "drift: {reference: {type: table, from: yesterday,"
                                        + " to: 2026-02-01T00:00:00Z}}"),
                        List.of(
                                "drift.reference.from (line 34): invalid instant 'yesterday' — expected"
                                        + " ISO-8601 in UTC, e.g. 2026-01-01T00:00:00Z")),
                arguments(
                        edit("name: auc-low", "name: AUC low"),
                        List.of(
                                "alerts[0].name (line 39): invalid name 'AUC low' — expected lower-case"
                                        + " letters, digits, _ and -")),
                arguments(
                        edit("metric: auc", "metric: auc\n    feature: amount"),
                        List.of(
                                "alerts[0].feature (line 42): only used with source drift — expected no"
                                        + " feature with source metrics")),
                arguments(
                        edit("    metric: auc\n", ""),
                        List.of(
                                "alerts[0].metric (line 39): missing required key — expected a metric"
                                        + " name, e.g. auc")),
                arguments(
                        edit(END, ""),
                        List.of(
                                "alerts[0].condition (line 39): missing required key — expected above,"
                                        + " below or drop")),
                arguments(
                        edit(
                                ALERT,
                                "source: drift\n    feature: amount\n"
                                        + "    statistic: missing-rate"),
                        List.of(
                                "alerts[0].condition (line 39): missing required key — expected above,"
                                        + " below or drop (only jensen-shannon, psi and wasserstein"
                                        + " default to drift.thresholds)")),
                arguments(
                        edit(
                                "source: metrics\n    metric: auc",
                                "source: drift\n    statistic: psi"),
                        List.of(
                                "alerts[0].feature (line 39): missing required key — expected a"
                                        + " feature or model output name, e.g. score")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {}"),
                        List.of(
                                "alerts[0].condition (line 42): no condition given — expected exactly"
                                        + " one of above, below, drop")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {above: 1, below: 0.5}"),
                        List.of(
                                "alerts[0].condition (line 42): conflicting conditions —"
                                        + " expected exactly one of above, below, drop")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {drop: 0.1}"),
                        List.of(
                                "alerts[0].condition.baseline (line 42): missing required key —"
                                        + " expected the window the drop is measured against, e.g. 7d")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {below: 0.8, baseline: 7d}"),
                        List.of(
                                "alerts[0].condition.baseline (line 42): only used with drop —"
                                        + " expected no baseline with above or below")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {drop: 2, baseline: 7d}"),
                        List.of(
                                "alerts[0].condition.drop (line 42): invalid number '2' —"
                                        + " expected a number above 0 and at most 1")),
                arguments(
                        edit(
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version]]\n"
                                        + "  estimation: {confidence: 1, calibration-bound: 0,"
                                        + " min-reference-rows: 0, reference-cohorts: 400,"
                                        + " confidense: 0.9}"),
                        List.of(
                                "metrics.estimation.confidence (line 38): invalid number '1' —"
                                        + " expected a number above 0 and below 1",
                                "metrics.estimation.calibration-bound (line 38): invalid number"
                                        + " '0' — expected a number above 0 and at most 1",
                                "metrics.estimation.min-reference-rows (line 38): invalid number"
                                        + " '0' — expected 1 to 1000000000",
                                "metrics.estimation.reference-cohorts (line 38): invalid number"
                                        + " '400' — expected 1 to 365",
                                "metrics.estimation.confidense (line 38): unknown key (did you"
                                        + " mean 'confidence'?)")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: regression\n  estimation: {confidence: 0.9}",
                                "score: score",
                                "predicted-value: score",
                                "metric: auc",
                                "metric: mae"),
                        List.of(
                                "metrics.estimation (line 37): performance estimation needs task"
                                        + " 'binary-classification', got 'regression' — expected"
                                        + " no estimation section")),
                arguments(
                        edit(END, END + "iceberg:\n  namespace: Hindsight\n"),
                        List.of(
                                "iceberg.namespace (line 44): invalid name 'Hindsight' — expected"
                                        + " lower-case letters, digits and _, levels separated by"
                                        + " dots")),
                arguments(
                        edit(
                                END,
                                END
                                        + "maintenance:\n"
                                        + "  in-job: maybe\n"
                                        + "  compaction: {target-file-size-mb: 0, min-input-files:"
                                        + " 1, every-commit: 5}\n"
                                        + "  expire-snapshots: {older-than: 7 days, retain-last:"
                                        + " 0}\n"
                                        + "  orphan-files: {older-than: 6h}\n"
                                        + "  lock: {jdbc-uri: 'postgres://db/locks'}\n"),
                        List.of(
                                "maintenance.in-job (line 44): invalid value 'maybe' — expected true or false",
                                "maintenance.compaction.target-file-size-mb (line 45): invalid number '0' — expected 1 to 1048576",
                                "maintenance.compaction.min-input-files (line 45): invalid number '1' — expected at least 2",
                                "maintenance.compaction.every-commit (line 45): unknown key (did you mean 'every-commits'?)",
                                "maintenance.expire-snapshots.older-than (line 46): invalid duration '7 days' — expected a number with a unit (ms, s, m, h, d, w), e.g. 60d",
                                "maintenance.expire-snapshots.retain-last (line 46): invalid number '0' — expected at least 1",
                                "maintenance.orphan-files.older-than (line 47): too young '6h' — expected at least 1d: a checkpoint's files wait unreferenced for its commit, and a restored job commits them again",
                                "maintenance.lock.jdbc-uri (line 48): invalid JDBC URL 'postgres://db/locks' — expected a JDBC URL, e.g. jdbc:postgresql://db:5432/locks")),
                arguments(
                        edit(END, END + "maintenance:\n  lock: {properties: {user: hs}}\n"),
                        List.of(
                                "maintenance.lock.jdbc-uri (line 44): missing required key — expected a JDBC URL, e.g. jdbc:postgresql://db:5432/locks")));
    }

    @ParameterizedTest
    @MethodSource("parserErrors")
    void parserError(String yaml, List<String> expected) {
        assertThat(errors(yaml)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> validatorErrors() {
        return Stream.of(
                arguments(
                        edit("drift: {}", "drift: {null-samples: 200}"),
                        List.of(
                                "drift.null-samples (line 34): 200 replicates are too few for"
                                        + " false-alarm-rate 0.01 — expected at least 300")),
                arguments(
                        edit("drift: {}", "drift: {rate-shift: {features: [amount, nope]}}"),
                        List.of(
                                "drift.rate-shift.features[0] (line 34): 'amount' is not a watched"
                                        + " categorical feature (watched: merchant)",
                                "drift.rate-shift.features[1] (line 34): 'nope' is not a watched"
                                        + " categorical feature (watched: merchant)")),
                arguments(
                        edit("version: 1", "version: 2"),
                        List.of("version (line 1): unsupported version '2' — expected 1")),
                arguments(
                        edit(
                                "bootstrap-servers: localhost:9092",
                                "bootstrap-servers:"
                                        + " localhost:9092\n  properties: {group.id: x, value.deserializer: y,"
                                        + " bootstrap.servers: z}"),
                        List.of(
                                "kafka.properties.group.id (line 5): set by Hindsight — use"
                                        + " kafka.group-id instead",
                                "kafka.properties.value.deserializer (line 5): set by Hindsight from"
                                        + " the input format — remove it",
                                "kafka.properties.bootstrap.servers (line 5): set by Hindsight — use"
                                        + " kafka.bootstrap-servers instead")),
                arguments(
                        edit(
                                "url: http://registry:8081",
                                "url: http://registry:8081\n" + "    username: svc"),
                        List.of(
                                "kafka.schema-registry.password (line 5): missing required key —"
                                        + " username and password go together")),
                arguments(
                        edit(
                                "url: http://registry:8081",
                                "url: http://registry:8081\n" + "    password: pw"),
                        List.of(
                                "kafka.schema-registry.username (line 5): missing required key —"
                                        + " username and password go together")),
                arguments(
                        edit("url: http://registry:8081", "url: not a url"),
                        List.of(
                                "kafka.schema-registry.url (line 6): invalid URL 'not a url' —"
                                        + " expected http:// or https:// and a host, e.g."
                                        + " http://registry:8081")),
                arguments(
                        edit("url: http://registry:8081", "url: https://bob:PASS@"),
                        List.of(
                                "kafka.schema-registry.url (line 6): invalid URL 'https://****@'"
                                        + " — expected http:// or https:// and a host, e.g."
                                        + " http://registry:8081")),
                arguments(
                        edit(
                                "bootstrap-servers: localhost:9092",
                                "bootstrap-servers: localhost:9092\n"
                                        + "  properties: {sasl.jaas.config: x}"),
                        List.of(
                                "kafka.properties.sasl.jaas.config (line 5): invalid JAAS"
                                        + " configuration (value not shown) — expected '<login"
                                        + " module class> required option=\"value\" ...;', e.g."
                                        + " org.apache.kafka.common.security.plain.PlainLoginModule"
                                        + " required username=\"u\""
                                        + " password=\"${env:KAFKA_PASSWORD}\";")),
                arguments(
                        edit(
                                "bootstrap-servers: localhost:9092",
                                "bootstrap-servers: localhost:9092\n"
                                        + "  properties:\n"
                                        + "    sasl.jaas.config: PlainLoginModule required"
                                        + " password=\"SECRET\""),
                        List.of(
                                "kafka.properties.sasl.jaas.config (line 6): invalid JAAS"
                                        + " configuration (value not shown) — expected '<login"
                                        + " module class> required option=\"value\" ...;', e.g."
                                        + " org.apache.kafka.common.security.plain.PlainLoginModule"
                                        + " required username=\"u\""
                                        + " password=\"${env:KAFKA_PASSWORD}\";")),
                arguments(
                        edit(
                                "drift: {}",
                                "iceberg:\n  catalog:\n    type: rest\n"
                                        + "    uri: catalog:8181\ndrift: {}"),
                        List.of(
                                "iceberg.catalog.uri (line 37): invalid URL 'catalog:8181' —"
                                        + " catalog type 'rest' needs http:// or https:// and a"
                                        + " host, e.g. https://catalog:8181")),
                arguments(
                        edit(
                                "drift: {}",
                                "iceberg:\n  catalog:\n    type: hive\n"
                                        + "    uri: http://metastore:9083\ndrift: {}"),
                        List.of(
                                "iceberg.catalog.uri (line 37): invalid URL"
                                        + " 'http://metastore:9083' — catalog type 'hive' needs"
                                        + " thrift:// and a host, e.g. thrift://metastore:9083")),
                arguments(
                        edit("label: is_fraud", "label: is_fraud\n    attributes: {label: x}"),
                        List.of(
                                "inputs.feedback.attributes.label (line 32): name 'label' is"
                                        + " reserved — expected another name")),
                arguments(
                        edit("topic: feedback", "topic: predictions"),
                        List.of(
                                "inputs.feedback.topic (line 26): same topic as inputs.predictions.topic"
                                        + " 'predictions' — expected a different topic")),
                arguments(
                        edit(
                                "format: avro-confluent\n    fields:\n      join-key: prediction_id",
                                "format: avro\n    fields:\n      join-key: prediction_id"),
                        List.of(
                                "inputs.feedback.schema-file (line 25): missing required key — format"
                                        + " 'avro' needs the writer schema, e.g. schema-file:"
                                        + " feedback.avsc")),
                arguments(
                        edit(REGISTRY, ""),
                        List.of(
                                "inputs.predictions.format (line 8): format 'avro-confluent' needs a"
                                        + " schema registry — expected kafka.schema-registry.url to be"
                                        + " set",
                                "inputs.feedback.format (line 25): format 'avro-confluent' needs a"
                                        + " schema registry — expected kafka.schema-registry.url to be"
                                        + " set")),
                arguments(
                        edit("- name: merchant", "- name: amount"),
                        List.of(
                                "inputs.predictions.features[1].name (line 20): duplicate feature"
                                        + " 'amount' — expected unique names")),
                arguments(
                        edit("- name: merchant", "- name: model_version"),
                        List.of(
                                "inputs.predictions.features[1].name (line 20): name 'model_version' is"
                                        + " reserved — expected another name")),
                arguments(
                        edit("type: categorical", "type: text\n        projections: []"),
                        List.of(
                                "inputs.predictions.features[1].projections (line 22): empty —"
                                        + " expected at least one of: length, token-count, line-count")),
                arguments(
                        edit("type: numeric", "type: numeric\n        projections: [length]"),
                        List.of(
                                "inputs.predictions.features[0].projections (line 20): only"
                                        + " used with type text — expected no projections for type"
                                        + " 'numeric'")),
                arguments(
                        edit("type: categorical", "type: categorical\n        min: 1"),
                        List.of(
                                "inputs.predictions.features[1].min (line 22): only used with"
                                        + " type numeric — expected no min for type 'categorical'")),
                arguments(
                        edit("type: numeric", "type: numeric\n        min: 10\n        max: 5"),
                        List.of(
                                "inputs.predictions.features[0].max (line 21): '5' is not above"
                                        + " min '10' — expected max > min")),
                arguments(
                        edit("channel: context.channel", "merchant: context.channel"),
                        List.of(
                                "inputs.predictions.tags.merchant (line 24): 'context.channel' is"
                                        + " also the categorical feature 'merchant' read from"
                                        + " 'merchant' — one field can be both only if both read"
                                        + " the same path; expected 'merchant' here, or distinct"
                                        + " tag and feature names",
                                "metrics.slices[1][0] (line 37): unknown field 'channel' (known:"
                                        + " country, merchant, model_version)")),
                arguments(
                        edit("channel: context.channel", "amount: context.channel"),
                        List.of(
                                "inputs.predictions.tags.amount (line 24): name 'amount' is also a"
                                        + " numeric feature — only a categorical feature can also be"
                                        + " a tag; expected distinct tag and feature names",
                                "metrics.slices[1][0] (line 37): unknown field 'channel' (known:"
                                        + " country, amount, merchant, model_version)")),
                arguments(
                        edit("label-window: 60d", "label-window: 1h\n  early-feedback-hold: 2h"),
                        List.of(
                                "join.early-feedback-hold (line 34): '2h' is longer than"
                                        + " join.label-window '1h' — expected at most the label window")),
                arguments(
                        edit(
                                "label: is_fraud",
                                "label-class: is_fraud",
                                "label-window: 60d",
                                "label-window: 60d\n  policy: max"),
                        List.of(
                                "join.policy (line 34): policy 'max' needs a numeric label — expected"
                                        + " inputs.feedback.fields.label to be mapped",
                                "metrics.task (line 37): task 'binary-classification' needs"
                                        + " inputs.feedback.fields.label — expected the numeric or"
                                        + " boolean outcome mapped")),
                arguments(
                        edit("label-window: 60d", "label-window: 60d\n  policy: mean"),
                        List.of(
                                "join.policy (line 34): policy 'mean' does not fit task"
                                        + " 'binary-classification' — expected one of: first, last, max,"
                                        + " min")),
                arguments(
                        edit(END, END + "iceberg:\n  catalog: {warehouse: 's3://w'}\n"),
                        List.of(
                                "iceberg.catalog.type (line 44): missing required key — expected one of:"
                                        + " hadoop, hive, rest, glue, nessie, jdbc, bigquery, or"
                                        + " catalog-impl")),
                arguments(
                        edit(END, END + "iceberg:\n  catalog: {type: rest, catalog-impl: a.B}\n"),
                        List.of(
                                "iceberg.catalog.catalog-impl (line 44): conflicts with type"
                                        + " 'rest' — expected one of type and catalog-impl")),
                arguments(
                        edit(END, END + "iceberg:\n  catalog: {type: hadop}\n"),
                        List.of(
                                "iceberg.catalog.type (line 44): invalid value 'hadop' — expected one of:"
                                        + " hadoop, hive, rest, glue, nessie, jdbc, bigquery, or"
                                        + " catalog-impl")),
                arguments(
                        edit(END, END + "iceberg:\n  catalog: {type: hadoop}\n"),
                        List.of(
                                "iceberg.catalog.warehouse (line 44): missing required key — catalog"
                                        + " type 'hadoop' needs a warehouse URI, e.g."
                                        + " file:///data/warehouse")),
                arguments(
                        edit(END, END + "iceberg:\n  tables: {drift: shop_metrics}\n"),
                        List.of(
                                "iceberg.tables.metrics (line 44): table 'shop_metrics' is also"
                                        + " iceberg.tables.drift — expected a distinct name")),
                arguments(
                        edit(END, END + "outputs:\n  alerts-topic: feedback\n"),
                        List.of(
                                "outputs.alerts-topic (line 44): topic 'feedback' is an input topic —"
                                        + " expected a topic only Hindsight writes")),
                arguments(
                        edit(END, END + "outputs:\n  drift-topic: hindsight.shop.outcomes\n"),
                        List.of(
                                "outputs.drift-topic (line 44): topic 'hindsight.shop.outcomes'"
                                        + " is also outputs.outcomes-topic — expected a distinct name")),
                arguments(
                        edit("drift: {}", "drift: {features: [amount, amount, amout]}"),
                        List.of(
                                "drift.features[1] (line 34): duplicate feature 'amount' — list each"
                                        + " once",
                                "drift.features[2] (line 34): unknown feature 'amout' (known: amount,"
                                        + " merchant)")),
                arguments(
                        edit(
                                "drift: {}",
                                "drift: {reference: {type: table,"
                                        + " from: 2026-02-01T00:00:00Z, to: 2026-01-01T00:00:00Z}}"),
                        List.of(
                                "drift.reference.to (line 34): '2026-01-01T00:00:00Z' is not after from"
                                        + " '2026-02-01T00:00:00Z' — expected a later instant")),
                arguments(
                        edit(
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version]]\n  metrics: [auc, mae]"),
                        List.of(
                                "metrics.metrics[1] (line 38): metric 'mae' does not fit task"
                                        + " 'binary-classification' — expected one of: count, accuracy,"
                                        + " precision, recall, f1, auc, log-loss, calibration-error,"
                                        + " score-mean, label-coverage, label-delay, label-delay-p99,"
                                        + " confusion-matrix, false-positive-rate, brier-score,"
                                        + " base-rate, predicted-positive-rate,"
                                        + " estimated-accuracy, estimated-precision,"
                                        + " estimated-recall, estimated-f1, estimated-auc,"
                                        + " accuracy-delta, precision-delta, recall-delta,"
                                        + " f1-delta, auc-delta")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: multiclass-classification",
                                "score: score",
                                "predicted-class: label",
                                "label: is_fraud",
                                "label-class: is_fraud",
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version]]\n  metrics: [accuracy, auc]"),
                        List.of(
                                "metrics.metrics[1] (line 38): metric 'auc' needs class scores —"
                                        + " expected inputs.predictions.fields.scores to be mapped")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: regression\n  expired-as: negative",
                                "score: score",
                                "predicted-value: score",
                                "metric: auc",
                                "metric: mae"),
                        List.of(
                                "metrics.expired-as (line 37): 'negative' does not fit task"
                                        + " 'regression' — expected excluded")),
                arguments(
                        edit("metric: auc", "metric: confusion-matrix"),
                        List.of(
                                "alerts[0].metric (line 41): metric 'confusion-matrix' is four"
                                        + " columns (tp, fp, tn, fn) — expected one value, e.g."
                                        + " false-positive-rate or predicted-positive-rate")),
                arguments(
                        edit("      score: score\n", ""),
                        List.of(
                                "metrics.task (line 35): task 'binary-classification' needs"
                                        + " inputs.predictions.fields.score — expected the predicted"
                                        + " probability of the positive class mapped")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: ranking",
                                "metric: auc",
                                "metric: ctr"),
                        List.of(
                                "metrics.task (line 36): task 'ranking' needs"
                                        + " inputs.predictions.fields.ranked-items — expected the list of"
                                        + " recommended items, best first mapped",
                                "metrics.task (line 36): task 'ranking' needs"
                                        + " inputs.feedback.fields.label-class — expected the clicked"
                                        + " item mapped")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: multiclass-classification",
                                "metric: auc",
                                "metric: accuracy"),
                        List.of(
                                "metrics.task (line 36): task 'multiclass-classification' needs"
                                        + " inputs.predictions.fields.predicted-class or scores —"
                                        + " expected the predicted class or the scores by class mapped",
                                "metrics.task (line 36): task 'multiclass-classification' needs"
                                        + " inputs.feedback.fields.label-class — expected the true class"
                                        + " mapped")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: regression",
                                "metric: auc",
                                "metric: mae"),
                        List.of(
                                "metrics.task (line 36): task 'regression' needs"
                                        + " inputs.predictions.fields.predicted-value — expected the"
                                        + " predicted number mapped")),
                arguments(
                        edit(
                                "task: binary-classification",
                                "task: llm-feedback",
                                "label: is_fraud",
                                "label-class: is_fraud",
                                "metric: auc",
                                "metric: thumbs-up-rate"),
                        List.of(
                                "metrics.task (line 36): task 'llm-feedback' needs"
                                        + " inputs.feedback.fields.label — expected the rating, 1/0 for"
                                        + " thumbs up/down mapped")),
                arguments(
                        edit(
                                END,
                                END
                                        + "iceberg:\n  catalog-name: My-Lake\n"
                                        + "  tables: {drift: Drift}\n"),
                        List.of(
                                "iceberg.catalog-name (line 44): invalid name 'My-Lake' — expected"
                                        + " lower-case letters, digits and _",
                                "iceberg.tables.drift (line 45): invalid name 'Drift' — expected"
                                        + " lower-case letters, digits and _")),
                arguments(
                        edit(
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[], [amount], [contry], [country, country], [country]]"),
                        List.of(
                                "metrics.slices[0] (line 37): empty slice — expected at least one"
                                        + " dimension name",
                                "metrics.slices[1][0] (line 37): feature 'amount' is numeric — expected"
                                        + " a tag, categorical feature or model_version",
                                "metrics.slices[2][0] (line 37): unknown field 'contry' (known: country,"
                                        + " channel, merchant, model_version)",
                                "metrics.slices[3][1] (line 37): duplicate dimension 'country' — list"
                                        + " each once",
                                "metrics.slices[4] (line 37): duplicate slice [country] — list each"
                                        + " once")),
                arguments(
                        edit(
                                END,
                                END
                                        + "  - name: auc-low\n    source: metrics\n"
                                        + "    metric: auc\n    condition: {below: 0.7}\n"),
                        List.of(
                                "alerts[1].name (line 43): duplicate alert name 'auc-low' — expected"
                                        + " unique names")),
                arguments(
                        edit("metrics:\n  task", "metrics:\n  enabled: false\n  task"),
                        List.of(
                                "alerts[0].source (line 41): metrics are disabled — expected an enabled"
                                        + " metrics section")),
                arguments(
                        edit(
                                "slices: [[country], [channel, model_version]]",
                                "slices: [[country], [channel, model_version]]\n  metrics: [accuracy]"),
                        List.of(
                                "alerts[0].metric (line 42): metric 'auc' is not in"
                                        + " metrics.metrics — expected one of: accuracy")),
                arguments(
                        edit("metric: auc", "metric: auc\n    slice: [merchant]"),
                        List.of(
                                "alerts[0].slice (line 42): slice [merchant] is not in metrics.slices —"
                                        + " expected one of: [country], [channel, model_version], or no"
                                        + " slice for the whole population")),
                arguments(
                        edit(
                                "drift: {}\n",
                                "",
                                "source: metrics\n    metric: auc",
                                "source: drift\n    feature: amount"),
                        List.of(
                                "alerts[0].source (line 39): drift is disabled — expected an enabled"
                                        + " drift section")),
                arguments(
                        edit(
                                "source: metrics\n    metric: auc",
                                "source: drift\n    feature: scor"),
                        List.of(
                                "alerts[0].feature (line 41): unknown feature 'scor' (known:"
                                        + " amount, merchant, score)")),
                arguments(
                        edit(
                                "source: metrics\n    metric: auc",
                                "source: drift\n    feature: merchant\n    statistic: wasserstein"),
                        List.of(
                                "alerts[0].statistic (line 42): 'wasserstein' does not apply to"
                                        + " categorical 'merchant' — expected one of: jensen-shannon,"
                                        + " psi, chi-square, unseen-categories, missing-rate")),
                arguments(
                        edit(
                                "source: metrics\n    metric: auc",
                                "source: drift\n    feature: amount\n    statistic: out-of-range-rate"),
                        List.of(
                                "alerts[0].statistic (line 42): 'out-of-range-rate' needs a"
                                        + " declared range — expected min or max on feature 'amount'")),
                arguments(
                        edit("condition: {below: 0.8}", "condition: {drop: 0.1, baseline: 1h}"),
                        List.of(
                                "alerts[0].condition.baseline (line 42): '1h' is shorter than"
                                        + " metrics.window '1d' — expected at least one window")));
    }

    @ParameterizedTest
    @MethodSource("validatorErrors")
    void validatorError(String yaml, List<String> expected) {
        assertThat(errors(yaml)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> envErrors() {
        String server = "bootstrap-servers: localhost:9092";
        return Stream.of(
                arguments(
                        edit(server, "bootstrap-servers: ${env:KAFKA}"),
                        "kafka.bootstrap-servers (line 4): environment variable 'KAFKA' is not"
                                + " set — set it or give a default: ${env:KAFKA:-value}"),
                arguments(
                        edit(server, "bootstrap-servers: ${env:9X}"),
                        "kafka.bootstrap-servers (line 4): invalid reference '${env:9X}' —"
                                + " expected ${env:NAME} or ${env:NAME:-default}, NAME of"
                                + " letters, digits and _"),
                arguments(
                        edit(server, "bootstrap-servers: ${env:KAFKA"),
                        "kafka.bootstrap-servers (line 4): unterminated reference '${env:KAFKA'"
                                + " — expected ${env:NAME} or ${env:NAME:-default}"));
    }

    @ParameterizedTest
    @MethodSource("envErrors")
    void envError(String yaml, String expected) {
        assertThat(errors(yaml)).containsExactly(expected);
    }

    @Test
    void substitutedValuesAreShownAsWrittenNeverAsTheirSecret() {
        String yaml = edit("topic: predictions", "topic: ${env:TOPIC}");

        List<String> errors = errors(yaml, Map.of("TOPIC", "hunter2 secret"));

        assertThat(errors)
                .containsExactly(
                        "inputs.predictions.topic (line 9): invalid topic name '${env:TOPIC}' —"
                                + " expected letters, digits, '.', '_' and '-', at most 249");
        assertThat(String.join("\n", errors)).doesNotContain("hunter2");
    }

    @Test
    void jsonInputsTakeNoSchemaFile(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("p.avsc"), "{}");
        String yaml =
                edit(
                        "    topic: predictions\n    format: avro-confluent\n",
                        "    topic: predictions\n    format: json\n    schema-file: "
                                + schema
                                + "\n");

        assertThat(errors(yaml))
                .containsExactly(
                        "inputs.predictions.schema-file (line 11): not used with format 'json' —"
                                + " expected no schema-file, or format avro or avro-confluent");
    }

    @Test
    void unreadableSpecFile(@TempDir Path dir) {
        Path missing = dir.resolve("spec.yaml");

        SpecException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        SpecException.class, () -> SpecLoader.load(missing, Map.of()));

        assertThat(e.getMessage())
                .isEqualTo("spec: cannot read " + missing + " — NoSuchFileException");
    }
}
