package io.hindsight.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cross-field rules of a job spec (formats and their schemas, join durations, the metrics task
 * against the mapped fields, slices, alert references, ...). Tolerates the partial spec a parse
 * with errors produces: a rule whose inputs are missing stays silent, since the parser has already
 * reported why.
 */
public final class SpecValidator {

    static final Set<String> CATALOG_TYPES =
            new LinkedHashSet<>(
                    List.of("hadoop", "hive", "rest", "glue", "nessie", "jdbc", "bigquery"));

    private static final Set<DriftStatistic> NUMERIC_ONLY =
            EnumSet.of(
                    DriftStatistic.WASSERSTEIN,
                    DriftStatistic.KOLMOGOROV_SMIRNOV,
                    DriftStatistic.OUT_OF_RANGE_RATE);
    private static final Set<DriftStatistic> CATEGORICAL_ONLY =
            EnumSet.of(DriftStatistic.CHI_SQUARE, DriftStatistic.UNSEEN_CATEGORIES);

    private final JobSpec spec;
    private final SourceInfo source;
    private final List<SpecError> errors = new ArrayList<>();

    private SpecValidator(JobSpec spec, SourceInfo source) {
        this.spec = spec;
        this.source = source;
    }

    /** Every cross-field error of a spec built in code (lines unknown). */
    public static List<SpecError> validate(JobSpec spec) {
        return validate(spec, SourceInfo.NONE);
    }

    static List<SpecError> validate(JobSpec spec, SourceInfo source) {
        SpecValidator v = new SpecValidator(spec, source);
        v.run();
        return List.copyOf(v.errors);
    }

    private void run() {
        if (spec.version() != 0 && spec.version() != JobSpec.CURRENT_VERSION) {
            error(
                    "version",
                    "unsupported version %s — expected %d",
                    shown("version", spec.version()),
                    JobSpec.CURRENT_VERSION);
        }
        kafka();
        inputs();
        join();
        iceberg();
        outputs();
        drift();
        metrics();
        alerts();
    }

    private void kafka() {
        KafkaSpec kafka = spec.kafka();
        if (kafka == null) {
            return;
        }
        for (String key : kafka.properties().keySet()) {
            String path = "kafka.properties." + key;
            switch (key) {
                case "bootstrap.servers" ->
                        error(path, "set by Hindsight — use kafka.bootstrap-servers instead");
                case "group.id" -> error(path, "set by Hindsight — use kafka.group-id instead");
                case "key.deserializer",
                        "value.deserializer",
                        "key.serializer",
                        "value.serializer" ->
                        error(path, "set by Hindsight from the input format — remove it");
                case "sasl.jaas.config" -> jaas(path, kafka.properties().get(key));
                default -> {}
            }
        }
        SchemaRegistrySpec registry = kafka.schemaRegistry();
        if (registry != null) {
            if (registry.url() != null && !isHttpUrl(registry.url())) {
                error(
                        "kafka.schema-registry.url",
                        "invalid URL %s — expected http:// or https:// and a host, e.g."
                                + " http://registry:8081",
                        SpecSecrets.maskUrl(shown("kafka.schema-registry.url", registry.url())));
            }
            if (registry.username() != null && registry.password() == null) {
                error(
                        "kafka.schema-registry.password",
                        "missing required key — username and password go together");
            }
            if (registry.password() != null && registry.username() == null) {
                error(
                        "kafka.schema-registry.username",
                        "missing required key — username and password go together");
            }
        }
    }

    private void inputs() {
        InputsSpec inputs = spec.inputs();
        if (inputs == null) {
            return;
        }
        PredictionInput p = inputs.predictions();
        FeedbackInput f = inputs.feedback();
        if (p != null) {
            format("inputs.predictions", p.format(), p.schemaFile(), "prediction.avsc");
            features(p);
        }
        if (f != null) {
            format("inputs.feedback", f.format(), f.schemaFile(), "feedback.avsc");
            for (String name : f.attributes().keySet()) {
                if (reservedFeedbackName(name)) {
                    error(
                            "inputs.feedback.attributes." + name,
                            "name '%s' is reserved — expected another name",
                            name);
                }
            }
        }
        if (p != null && f != null && p.topic() != null && p.topic().equals(f.topic())) {
            error(
                    "inputs.feedback.topic",
                    "same topic as inputs.predictions.topic %s — expected a different topic",
                    shown("inputs.predictions.topic", p.topic()));
        }
    }

    private static boolean reservedFeedbackName(String name) {
        return name.equals("label") || name.equals("label_class");
    }

    private void format(String path, InputFormat format, String schemaFile, String example) {
        if (format == null) {
            return;
        }
        switch (format) {
            case AVRO -> {
                if (schemaFile == null) {
                    error(
                            path + ".schema-file",
                            "missing required key — format 'avro' needs the writer schema,"
                                    + " e.g. schema-file: %s",
                            example);
                }
            }
            case JSON -> {
                if (schemaFile != null) {
                    error(
                            path + ".schema-file",
                            "not used with format 'json' — expected no schema-file, or format"
                                    + " avro or avro-confluent");
                }
            }
            case AVRO_CONFLUENT -> {
                if (spec.kafka() != null && spec.kafka().schemaRegistry() == null) {
                    error(
                            path + ".format",
                            "format 'avro-confluent' needs a schema registry — expected"
                                    + " kafka.schema-registry.url to be set");
                }
            }
        }
    }

    private void features(PredictionInput p) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < p.features().size(); i++) {
            FeatureSpec feature = p.features().get(i);
            String path = "inputs.predictions.features[" + i + "]";
            if (seen.putIfAbsent(feature.name(), i) != null) {
                error(
                        path + ".name",
                        "duplicate feature '%s' — expected unique names",
                        feature.name());
            }
            if (reservedDimension(feature.name())) {
                error(
                        path + ".name",
                        "name '%s' is reserved — expected another name",
                        feature.name());
            }
            if (feature.type() == null) {
                continue;
            }
            if (feature.type() == FeatureType.TEXT) {
                if (feature.projections().isEmpty()) {
                    error(
                            path + ".projections",
                            "empty — expected at least one of: %s",
                            String.join(", ", SpecNames.yamlNames(TextProjection.class)));
                }
            } else if (!feature.projections().isEmpty()) {
                error(
                        path + ".projections",
                        "only used with type text — expected no projections for type '%s'",
                        SpecNames.yamlName(feature.type()));
            }
            if (feature.type() != FeatureType.NUMERIC) {
                for (String key : List.of("min", "max")) {
                    Double value = key.equals("min") ? feature.min() : feature.max();
                    if (value != null) {
                        error(
                                path + "." + key,
                                "only used with type numeric — expected no %s for type '%s'",
                                key,
                                SpecNames.yamlName(feature.type()));
                    }
                }
            } else if (feature.min() != null
                    && feature.max() != null
                    && feature.max() <= feature.min()) {
                error(
                        path + ".max",
                        "%s is not above min %s — expected max > min",
                        shown(path + ".max", feature.max()),
                        shown(path + ".min", feature.min()));
            }
        }
        for (Map.Entry<String, FieldPath> entry : p.tags().entrySet()) {
            String tag = entry.getKey();
            String path = "inputs.predictions.tags." + tag;
            Integer index = seen.get(tag);
            FeatureSpec feature = index == null ? null : p.features().get(index);
            // One field in two roles, a model input watched for drift and a dimension to slice by:
            // both read the same value, so a slice by the name is the same whichever map it is
            // looked up in. Read from two places, or as a number, the name would mean two things.
            if (feature != null && feature.type() != null) {
                FieldPath featurePath = feature.path();
                if (feature.type() != FeatureType.CATEGORICAL) {
                    error(
                            path,
                            "name '%s' is also a %s feature — only a categorical feature can"
                                    + " also be a tag; expected distinct tag and feature names",
                            tag,
                            SpecNames.yamlName(feature.type()));
                } else if (featurePath != null
                        && entry.getValue() != null
                        && !featurePath.equals(entry.getValue())) {
                    error(
                            path,
                            "'%s' is also the categorical feature '%s' read from '%s' — one"
                                    + " field can be both only if both read the same path;"
                                    + " expected '%s' here, or distinct tag and feature names",
                            entry.getValue(),
                            tag,
                            featurePath,
                            featurePath);
                }
            }
            if (reservedDimension(tag)) {
                error(path, "name '%s' is reserved — expected another name", tag);
            }
        }
    }

    private static boolean reservedDimension(String name) {
        return name.equals("model_version") || name.equals("model_name");
    }

    private void join() {
        JoinSpec join = spec.join();
        if (join == null) {
            return;
        }
        if (join.labelWindow() != null
                && join.earlyFeedbackHold() != null
                && join.earlyFeedbackHold().compareTo(join.labelWindow()) > 0) {
            error(
                    "join.early-feedback-hold",
                    "%s is longer than join.label-window %s — expected at most the label window",
                    shownDuration("join.early-feedback-hold", join.earlyFeedbackHold()),
                    shownDuration("join.label-window", join.labelWindow()));
        }
        FeedbackPolicy policy = join.policy();
        if (policy == null) {
            return;
        }
        FeedbackFields fields = feedbackFields();
        if (policy.aggregatesLabels() && fields != null && fields.label() == null) {
            error(
                    "join.policy",
                    "policy '%s' needs a numeric label — expected inputs.feedback.fields.label"
                            + " to be mapped",
                    SpecNames.yamlName(policy));
        }
        MetricsSpec metrics = spec.metrics();
        if (metrics != null
                && metrics.enabled()
                && metrics.task() != null
                && !metrics.task().allowedPolicies().contains(policy)) {
            error(
                    "join.policy",
                    "policy '%s' does not fit task '%s' — expected one of: %s",
                    SpecNames.yamlName(policy),
                    SpecNames.yamlName(metrics.task()),
                    SpecNames.join(metrics.task().allowedPolicies()));
        }
    }

    private void iceberg() {
        IcebergSpec iceberg = spec.iceberg();
        if (iceberg == null) {
            return;
        }
        Map<String, String> catalog = iceberg.catalogProperties();
        String type = catalog.get("type");
        String impl = catalog.get("catalog-impl");
        if (type == null && impl == null) {
            error(
                    "iceberg.catalog.type",
                    "missing required key — expected one of: %s, or catalog-impl",
                    String.join(", ", CATALOG_TYPES));
        } else if (type != null && impl != null) {
            error(
                    "iceberg.catalog.catalog-impl",
                    "conflicts with type %s — expected one of type and catalog-impl",
                    shown("iceberg.catalog.type", type));
        } else if (type != null && !CATALOG_TYPES.contains(type)) {
            error(
                    "iceberg.catalog.type",
                    "invalid value %s — expected one of: %s, or catalog-impl",
                    shown("iceberg.catalog.type", type),
                    String.join(", ", CATALOG_TYPES));
        } else if ("hadoop".equals(type) && catalog.get("warehouse") == null) {
            error(
                    "iceberg.catalog.warehouse",
                    "missing required key — catalog type 'hadoop' needs a warehouse URI, e.g."
                            + " file:///data/warehouse");
        } else if (("rest".equals(type) || "nessie".equals(type))
                && catalog.get("uri") != null
                && !isHttpUrl(catalog.get("uri"))) {
            error(
                    "iceberg.catalog.uri",
                    "invalid URL %s — catalog type '%s' needs http:// or https:// and a host,"
                            + " e.g. https://catalog:8181",
                    SpecSecrets.maskUrl(shown("iceberg.catalog.uri", catalog.get("uri"))),
                    type);
        } else if ("hive".equals(type)
                && catalog.get("uri") != null
                && !isUrl(catalog.get("uri"), "thrift")) {
            error(
                    "iceberg.catalog.uri",
                    "invalid URL %s — catalog type 'hive' needs thrift:// and a host, e.g."
                            + " thrift://metastore:9083",
                    SpecSecrets.maskUrl(shown("iceberg.catalog.uri", catalog.get("uri"))));
        }
        TableNames t = iceberg.tables();
        if (t != null) {
            Map<String, String> names = new LinkedHashMap<>();
            names.put("predictions", t.predictions());
            names.put("outcomes", t.outcomes());
            names.put("unmatched-feedback", t.unmatchedFeedback());
            names.put("drift", t.drift());
            names.put("metrics", t.metrics());
            names.put("alerts", t.alerts());
            distinct("iceberg.tables.", names, "table");
        }
    }

    private void outputs() {
        OutputsSpec o = spec.outputs();
        if (o == null) {
            return;
        }
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put("outcomes-topic", o.outcomesTopic());
        topics.put("dead-letter-topic", o.deadLetterTopic());
        topics.put("drift-topic", o.driftTopic());
        topics.put("metrics-topic", o.metricsTopic());
        topics.put("alerts-topic", o.alertsTopic());
        Set<String> inputTopics = new HashSet<>();
        if (spec.inputs() != null && spec.inputs().predictions() != null) {
            inputTopics.add(spec.inputs().predictions().topic());
        }
        if (spec.inputs() != null && spec.inputs().feedback() != null) {
            inputTopics.add(spec.inputs().feedback().topic());
        }
        for (Map.Entry<String, String> e : topics.entrySet()) {
            if (e.getValue() != null && inputTopics.contains(e.getValue())) {
                String path = "outputs." + e.getKey();
                error(
                        path,
                        "topic %s is an input topic — expected a topic only Hindsight writes",
                        shown(path, e.getValue()));
            }
        }
        distinct("outputs.", topics, "topic");
    }

    private void distinct(String prefix, Map<String, String> names, String what) {
        Map<String, String> first = new HashMap<>();
        for (Map.Entry<String, String> e : names.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            String earlier = first.putIfAbsent(e.getValue(), e.getKey());
            if (earlier != null) {
                String path = prefix + e.getKey();
                error(
                        path,
                        "%s %s is also %s%s — expected a distinct name",
                        what,
                        shown(path, e.getValue()),
                        prefix,
                        earlier);
            }
        }
    }

    private void drift() {
        DriftSpec drift = spec.drift();
        if (drift == null || !drift.enabled()) {
            return;
        }
        List<String> declared = featureNames();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < drift.features().size(); i++) {
            String name = drift.features().get(i);
            String path = "drift.features[" + i + "]";
            if (!declared.contains(name)) {
                error(
                        path,
                        "unknown feature '%s' (known: %s)",
                        name,
                        declared.isEmpty() ? "no features declared" : String.join(", ", declared));
            } else if (!seen.add(name)) {
                error(path, "duplicate feature '%s' — list each once", name);
            }
        }
        DriftReference ref = drift.reference();
        if (ref != null
                && ref.type() == ReferenceType.TABLE
                && ref.from() != null
                && ref.to() != null
                && !ref.to().isAfter(ref.from())) {
            error(
                    "drift.reference.to",
                    "%s is not after from %s — expected a later instant",
                    shown("drift.reference.to", ref.to()),
                    shown("drift.reference.from", ref.from()));
        }
        decision(drift);
    }

    /** The rate rule names watched categorical features; enough replicates for the level. */
    private void decision(DriftSpec drift) {
        DriftDecision decision = drift.decision();
        if (decision == null) {
            return;
        }
        // The joint Monte Carlo threshold needs P(Binomial(B, α) = 0) ≤ 5 %: B·α ≥ 3.
        int needed = (int) Math.ceil(3 / decision.falseAlarmRate() - 1e-9);
        if (decision.nullSamples() < needed) {
            error(
                    "drift.null-samples",
                    "%d replicates are too few for false-alarm-rate %s — expected at least %d",
                    decision.nullSamples(),
                    decision.falseAlarmRate(),
                    needed);
        }
        List<String> categorical = new ArrayList<>();
        for (String name : drift.features()) {
            FeatureSpec feature = feature(name);
            if (feature != null && feature.type() == FeatureType.CATEGORICAL) {
                categorical.add(name);
            }
        }
        List<String> names = decision.rateShift().features();
        for (int i = 0; i < names.size(); i++) {
            if (!categorical.contains(names.get(i))) {
                error(
                        "drift.rate-shift.features[" + i + "]",
                        "'%s' is not a watched categorical feature (watched: %s)",
                        names.get(i),
                        categorical.isEmpty() ? "none" : String.join(", ", categorical));
            }
        }
    }

    private void metrics() {
        MetricsSpec metrics = spec.metrics();
        if (metrics == null || !metrics.enabled()) {
            return;
        }
        MetricsTask task = metrics.task();
        if (task != null) {
            taskFields(task);
            for (int i = 0; i < metrics.metrics().size(); i++) {
                MetricName m = metrics.metrics().get(i);
                String path = "metrics.metrics[" + i + "]";
                if (!task.allowedMetrics().contains(m)) {
                    error(
                            path,
                            "metric '%s' does not fit task '%s' — expected one of: %s",
                            SpecNames.yamlName(m),
                            SpecNames.yamlName(task),
                            SpecNames.join(task.allowedMetrics()));
                } else if (task == MetricsTask.MULTICLASS_CLASSIFICATION
                        && MetricsTask.NEED_CLASS_SCORES.contains(m)
                        && predictionFields() != null
                        && predictionFields().scores() == null) {
                    error(
                            path,
                            "metric '%s' needs class scores — expected"
                                    + " inputs.predictions.fields.scores to be mapped",
                            SpecNames.yamlName(m));
                }
            }
            if (metrics.expiredAs() == ExpiredAs.NEGATIVE
                    && task != MetricsTask.BINARY_CLASSIFICATION
                    && task != MetricsTask.RANKING) {
                error(
                        "metrics.expired-as",
                        "'negative' does not fit task '%s' — expected excluded",
                        SpecNames.yamlName(task));
            }
        }
        slices(metrics);
    }

    private void taskFields(MetricsTask task) {
        PredictionFields p = predictionFields();
        FeedbackFields f = feedbackFields();
        String name = SpecNames.yamlName(task);
        if (p != null) {
            switch (task) {
                case BINARY_CLASSIFICATION ->
                        need(
                                name,
                                p.score(),
                                "inputs.predictions.fields.score",
                                "the predicted probability of the positive class");
                case MULTICLASS_CLASSIFICATION -> {
                    if (p.predictedClass() == null && p.scores() == null) {
                        needText(
                                name,
                                "inputs.predictions.fields.predicted-class or scores",
                                "the predicted class or the scores by class");
                    }
                }
                case REGRESSION ->
                        need(
                                name,
                                p.predictedValue(),
                                "inputs.predictions.fields.predicted-value",
                                "the predicted number");
                case RANKING ->
                        need(
                                name,
                                p.rankedItems(),
                                "inputs.predictions.fields.ranked-items",
                                "the list of recommended items, best first");
                case LLM_FEEDBACK -> {}
            }
        }
        if (f != null) {
            switch (task) {
                case MULTICLASS_CLASSIFICATION, RANKING ->
                        need(
                                name,
                                f.labelClass(),
                                "inputs.feedback.fields.label-class",
                                task == MetricsTask.RANKING
                                        ? "the clicked item"
                                        : "the true class");
                default ->
                        need(
                                name,
                                f.label(),
                                "inputs.feedback.fields.label",
                                task == MetricsTask.LLM_FEEDBACK
                                        ? "the rating, 1/0 for thumbs up/down"
                                        : "the numeric or boolean outcome");
            }
        }
    }

    private void need(String task, FieldPath mapped, String field, String meaning) {
        if (mapped == null) {
            needText(task, field, meaning);
        }
    }

    private void needText(String task, String field, String meaning) {
        error("metrics.task", "task '%s' needs %s — expected %s mapped", task, field, meaning);
    }

    private void slices(MetricsSpec metrics) {
        Set<String> known = new LinkedHashSet<>();
        Map<String, FeatureType> featureTypes = new HashMap<>();
        PredictionInput p = spec.inputs() == null ? null : spec.inputs().predictions();
        if (p != null) {
            known.addAll(p.tags().keySet());
            for (FeatureSpec feature : p.features()) {
                featureTypes.put(feature.name(), feature.type());
                if (feature.type() == FeatureType.CATEGORICAL) {
                    known.add(feature.name());
                }
            }
        }
        known.add("model_version");
        List<Set<String>> seenSlices = new ArrayList<>();
        for (int i = 0; i < metrics.slices().size(); i++) {
            List<String> dims = metrics.slices().get(i);
            String path = "metrics.slices[" + i + "]";
            if (dims.isEmpty()) {
                error(path, "empty slice — expected at least one dimension name");
                continue;
            }
            Set<String> set = new LinkedHashSet<>();
            boolean valid = true;
            for (int j = 0; j < dims.size(); j++) {
                String dim = dims.get(j);
                String dimPath = path + "[" + j + "]";
                if (dim == null) {
                    valid = false;
                    continue;
                }
                FeatureType type = featureTypes.get(dim);
                if (type != null && type != FeatureType.CATEGORICAL) {
                    valid = false;
                    error(
                            dimPath,
                            "feature '%s' is %s — expected a tag, categorical feature or"
                                    + " model_version",
                            dim,
                            SpecNames.yamlName(type));
                } else if (!known.contains(dim)) {
                    valid = false;
                    error(dimPath, "unknown field '%s' (known: %s)", dim, String.join(", ", known));
                } else if (!set.add(dim)) {
                    error(dimPath, "duplicate dimension '%s' — list each once", dim);
                }
            }
            if (!valid) {
                continue;
            }
            if (seenSlices.contains(set)) {
                error(path, "duplicate slice %s — list each once", dims);
            } else {
                seenSlices.add(set);
            }
        }
    }

    private void alerts() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.alerts().size(); i++) {
            AlertRuleSpec rule = spec.alerts().get(i);
            String path = "alerts[" + i + "]";
            if (rule.name() != null && !names.add(rule.name())) {
                error(
                        path + ".name",
                        "duplicate alert name '%s' — expected unique names",
                        rule.name());
            }
            if (rule.source() == AlertSource.METRICS) {
                metricsRule(rule, path);
            } else if (rule.source() == AlertSource.DRIFT) {
                driftRule(rule, path);
            }
        }
    }

    private void metricsRule(AlertRuleSpec rule, String path) {
        MetricsSpec metrics = spec.metrics();
        if (metrics == null || !metrics.enabled()) {
            error(path + ".source", "metrics are disabled — expected an enabled metrics section");
            return;
        }
        if (rule.metric() == MetricName.CONFUSION_MATRIX) {
            error(
                    path + ".metric",
                    "metric 'confusion-matrix' is four columns (tp, fp, tn, fn) — expected one"
                            + " value, e.g. false-positive-rate or predicted-positive-rate");
        } else if (rule.metric() != null
                && metrics.task() != null
                && !metrics.metrics().contains(rule.metric())) {
            error(
                    path + ".metric",
                    "metric '%s' is not in metrics.metrics — expected one of: %s",
                    SpecNames.yamlName(rule.metric()),
                    SpecNames.join(metrics.metrics()));
        }
        if (!rule.slice().isEmpty()
                && metrics.slices().stream()
                        .noneMatch(s -> Set.copyOf(s).equals(Set.copyOf(rule.slice())))) {
            List<String> configured = metrics.slices().stream().map(Object::toString).toList();
            error(
                    path + ".slice",
                    "slice %s is not in metrics.slices — expected one of: %s",
                    rule.slice(),
                    configured.isEmpty()
                            ? "no slices configured, or no slice for the whole population"
                            : String.join(", ", configured)
                                    + ", or no slice for the whole population");
        }
        conditionRule(rule, path, metrics.window(), "metrics.window");
    }

    private void driftRule(AlertRuleSpec rule, String path) {
        DriftSpec drift = spec.drift();
        if (drift == null || !drift.enabled()) {
            error(path + ".source", "drift is disabled — expected an enabled drift section");
            return;
        }
        Map<String, FeatureType> targets = driftTargets(drift);
        if (rule.feature() != null) {
            FeatureType type = targets.get(rule.feature());
            if (type == null) {
                error(
                        path + ".feature",
                        "unknown feature '%s' (known: %s)",
                        rule.feature(),
                        targets.isEmpty()
                                ? "nothing is watched"
                                : String.join(", ", targets.keySet()));
            } else if (rule.statistic() != null) {
                statisticFits(rule, path, type);
            }
        }
        conditionRule(rule, path, drift.window(), "drift.window");
    }

    private void statisticFits(AlertRuleSpec rule, String path, FeatureType type) {
        DriftStatistic stat = rule.statistic();
        boolean numeric = type == FeatureType.NUMERIC;
        if ((numeric && CATEGORICAL_ONLY.contains(stat))
                || (!numeric && NUMERIC_ONLY.contains(stat))) {
            Set<DriftStatistic> fitting = EnumSet.allOf(DriftStatistic.class);
            fitting.removeAll(numeric ? CATEGORICAL_ONLY : NUMERIC_ONLY);
            error(
                    path + ".statistic",
                    "'%s' does not apply to %s '%s' — expected one of: %s",
                    SpecNames.yamlName(stat),
                    numeric ? "numeric" : "categorical",
                    rule.feature(),
                    SpecNames.join(fitting));
            return;
        }
        if (stat == DriftStatistic.OUT_OF_RANGE_RATE) {
            FeatureSpec feature = feature(rule.feature());
            if (feature == null || (feature.min() == null && feature.max() == null)) {
                error(
                        path + ".statistic",
                        "'out-of-range-rate' needs a declared range — expected min or max on"
                                + " feature '%s'",
                        rule.feature());
            }
        }
    }

    private void conditionRule(AlertRuleSpec rule, String path, Duration window, String windowKey) {
        AlertCondition c = rule.condition();
        if (c == null) {
            return; // the parser reported why
        }
        if (c.type() == ConditionType.DROP
                && c.baseline() != null
                && window != null
                && c.baseline().compareTo(window) < 0) {
            error(
                    path + ".condition.baseline",
                    "%s is shorter than %s %s — expected at least one window",
                    shownDuration(path + ".condition.baseline", c.baseline()),
                    windowKey,
                    shownDuration(windowKey, window));
        }
    }

    /** What drift watches, by alert name: features (text ones by projection) and model outputs. */
    private Map<String, FeatureType> driftTargets(DriftSpec drift) {
        Map<String, FeatureType> targets = new LinkedHashMap<>();
        for (String name : drift.features()) {
            FeatureSpec feature = feature(name);
            if (feature == null || feature.type() == null) {
                continue;
            }
            if (feature.type() == FeatureType.TEXT) {
                for (TextProjection projection : feature.projections()) {
                    targets.put(name + "." + projectionName(projection), FeatureType.NUMERIC);
                }
            } else {
                targets.put(name, feature.type());
            }
        }
        PredictionFields p = predictionFields();
        if (drift.modelOutputs() && p != null) {
            if (p.score() != null) {
                targets.put("score", FeatureType.NUMERIC);
            }
            if (p.predictedClass() != null) {
                targets.put("predicted_class", FeatureType.CATEGORICAL);
            }
            if (p.predictedValue() != null) {
                targets.put("predicted_value", FeatureType.NUMERIC);
            }
            if (p.outputText() != null) {
                targets.put("output_text.length", FeatureType.NUMERIC);
                targets.put("output_text.token_count", FeatureType.NUMERIC);
            }
        }
        return targets;
    }

    /** The name a text projection's derived feature has: {@code token_count}. */
    public static String projectionName(TextProjection projection) {
        return projection.name().toLowerCase(java.util.Locale.ROOT);
    }

    private FeatureSpec feature(String name) {
        PredictionInput p = spec.inputs() == null ? null : spec.inputs().predictions();
        if (p == null) {
            return null;
        }
        return p.features().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    private List<String> featureNames() {
        PredictionInput p = spec.inputs() == null ? null : spec.inputs().predictions();
        return p == null ? List.of() : p.features().stream().map(FeatureSpec::name).toList();
    }

    private PredictionFields predictionFields() {
        return spec.inputs() == null || spec.inputs().predictions() == null
                ? null
                : spec.inputs().predictions().fields();
    }

    private FeedbackFields feedbackFields() {
        return spec.inputs() == null || spec.inputs().feedback() == null
                ? null
                : spec.inputs().feedback().fields();
    }

    // <LoginModule class> <flag> [option=value ...]; as Kafka's JaasConfig parses it (one entry).
    private static final java.util.regex.Pattern JAAS =
            java.util.regex.Pattern.compile(
                    "\\s*[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+"
                            + "\\s+(required|requisite|sufficient|optional)"
                            + "(\\s+[\\w.-]+\\s*=\\s*(\"([^\"\\\\]|\\\\.)*\"|[^\\s;\"=]+))*"
                            + "\\s*;\\s*");

    /** Never echoes the value: it holds the credentials. */
    private void jaas(String path, String value) {
        if (value != null && !JAAS.matcher(value).matches()) {
            error(
                    path,
                    "invalid JAAS configuration (value not shown) — expected '<login module"
                            + " class> required option=\"value\" ...;', e.g."
                            + " org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\"u\" password=\"${env:KAFKA_PASSWORD}\";");
        }
    }

    private static boolean isHttpUrl(String url) {
        return isUrl(url, "http") || isUrl(url, "https");
    }

    private static boolean isUrl(String url, String scheme) {
        try {
            java.net.URI uri = new java.net.URI(url.trim());
            return scheme.equalsIgnoreCase(uri.getScheme())
                    && uri.getHost() != null
                    && !uri.getHost().isEmpty();
        } catch (java.net.URISyntaxException e) {
            // Not a URL at all: the caller reports it with the value as written.
            return false;
        }
    }

    private String shown(String path, Object value) {
        return source.shown(path, value);
    }

    private String shownDuration(String path, Duration d) {
        return source.shown(path, Durations.format(d));
    }

    private void error(String path, String format, Object... args) {
        errors.add(new SpecError(path, source.lineOf(path), String.format(format, args)));
    }
}
