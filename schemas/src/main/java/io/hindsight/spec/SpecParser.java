package io.hindsight.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the YAML node tree into spec records, collecting every structural error (unknown keys,
 * wrong types, bad values) instead of stopping at the first; cross-field rules are {@link
 * SpecValidator}'s.
 */
final class SpecParser {

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    static final String NAME_EXPECTED =
            "expected lower-case letters, digits and _, starting with a letter";
    static final Pattern APPLICATION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
    static final Pattern ALERT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    static final Pattern TABLE = Pattern.compile("[a-z0-9_]+");
    static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");

    private final Map<String, String> env;
    private final Path baseDir;
    private final List<SpecError> errors = new ArrayList<>();
    private final SourceInfo source = new SourceInfo();

    SpecParser(Map<String, String> env, Path baseDir) {
        this.env = env;
        this.baseDir = baseDir;
    }

    List<SpecError> errors() {
        return errors;
    }

    SourceInfo source() {
        return source;
    }

    /**
     * The spec, possibly partial when {@link #errors()} is not empty; empty when the document is
     * not a mapping at all.
     */
    Optional<JobSpec> parse(String yaml) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // reported below, with both lines
            root = new Yaml(options).compose(new java.io.StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            errors.add(new SpecError("spec", line, "invalid YAML — " + e.getProblem()));
            return Optional.empty();
        } catch (YAMLException e) {
            errors.add(new SpecError("spec", 0, "invalid YAML — " + e.getMessage()));
            return Optional.empty();
        }
        if (root == null || isNull(root)) {
            errors.add(
                    new SpecError(
                            "spec",
                            0,
                            "empty document — expected a mapping with version, application,"
                                    + " kafka, inputs and join"));
            return Optional.empty();
        }
        if (!(root instanceof MappingNode)) {
            errors.add(
                    new SpecError(
                            "spec",
                            line(root),
                            "expected a mapping with version, application, kafka, inputs and"
                                    + " join, got "
                                    + kind(root)));
            return Optional.empty();
        }
        Obj o = new Obj((MappingNode) root, "");
        Integer version = integer(o, "version", null, 1, Integer.MAX_VALUE, true);
        String application = string(o, "application", true, "expected a name, e.g. fraud");
        if (application != null && !APPLICATION.matcher(application).matches()) {
            error(
                    "application",
                    "invalid application name %s — expected lower-case letters, digits, _ and"
                            + " -, at most 100",
                    shown("application", application));
            application = null;
        }
        String app = application == null ? "application" : application;
        KafkaSpec kafka = kafka(o.required("kafka", "expected a mapping"), "kafka", app);
        InputsSpec inputs = inputs(o.required("inputs", "expected a mapping"), "inputs");
        JoinSpec join = join(o.required("join", "expected a mapping"), "join");
        IcebergSpec iceberg = iceberg(o.optional("iceberg"), "iceberg", app);
        OutputsSpec outputs = outputs(o.optional("outputs"), "outputs", app);
        PredictionInput predictions = inputs == null ? null : inputs.predictions();
        DriftSpec drift = drift(o.optional("drift"), "drift", predictions);
        MetricsSpec metrics = metrics(o.optional("metrics"), "metrics", predictions);
        List<AlertRuleSpec> alerts = alerts(o.optional("alerts"), "alerts", drift);
        o.finish();
        return Optional.of(
                new JobSpec(
                        version == null ? 0 : version,
                        application,
                        kafka,
                        inputs,
                        join,
                        iceberg,
                        outputs,
                        drift,
                        metrics,
                        alerts));
    }

    // ---------------------------------------------------------------- sections

    private KafkaSpec kafka(Node node, String path, String app) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        String bootstrap =
                string(o, "bootstrap-servers", true, "expected host:port[,host:port...]");
        String groupId = string(o, "group-id", false, null);
        Map<String, String> properties = stringMap(o.optional("properties"), o.child("properties"));
        SchemaRegistrySpec registry = null;
        Obj r = obj(o.optional("schema-registry"), o.child("schema-registry"));
        if (r != null) {
            registry =
                    new SchemaRegistrySpec(
                            string(r, "url", true, "expected a URL, e.g. http://registry:8081"),
                            string(r, "username", false, null),
                            string(r, "password", false, null),
                            stringMap(r.optional("properties"), r.child("properties")));
            r.finish();
        }
        o.finish();
        return new KafkaSpec(
                bootstrap, groupId == null ? "hindsight-" + app : groupId, properties, registry);
    }

    private InputsSpec inputs(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        PredictionInput predictions =
                predictions(
                        o.required("predictions", "expected a mapping"), o.child("predictions"));
        FeedbackInput feedback =
                feedback(o.required("feedback", "expected a mapping"), o.child("feedback"));
        Duration lag = duration(o, "max-event-time-lag", Duration.ofDays(400));
        Duration lead = duration(o, "max-event-time-lead", Duration.ofDays(1));
        o.finish();
        return new InputsSpec(predictions, feedback, lag, lead);
    }

    private PredictionInput predictions(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        String topic = topic(o, "topic", null, true);
        InputFormat format = enumValue(o, "format", InputFormat.class, null, true);
        String schemaFile = file(o, "schema-file");
        StartingOffsets offsets =
                enumValue(
                        o,
                        "starting-offsets",
                        StartingOffsets.class,
                        StartingOffsets.COMMITTED,
                        false);
        TimestampFormat timeFormat =
                enumValue(
                        o, "event-time-format", TimestampFormat.class, TimestampFormat.AUTO, false);
        PredictionFields fields = null;
        Obj f = obj(o.required("fields", "expected a mapping"), o.child("fields"));
        if (f != null) {
            fields =
                    new PredictionFields(
                            fieldPath(f, "join-key", true),
                            fieldPath(f, "event-time", true),
                            valueSource(f, "model-name"),
                            valueSource(f, "model-version"),
                            fieldPath(f, "score", false),
                            fieldPath(f, "scores", false),
                            fieldPath(f, "predicted-class", false),
                            fieldPath(f, "predicted-value", false),
                            fieldPath(f, "ranked-items", false),
                            fieldPath(f, "output-text", false));
            f.finish();
        }
        List<FeatureSpec> features = new ArrayList<>();
        List<Node> items = list(o.optional("features"), o.child("features"));
        for (int i = 0; i < items.size(); i++) {
            FeatureSpec feature = feature(items.get(i), o.child("features") + "[" + i + "]");
            if (feature != null) {
                features.add(feature);
            }
        }
        Map<String, FieldPath> tags = namedPaths(o.optional("tags"), o.child("tags"));
        o.finish();
        return new PredictionInput(
                topic, format, schemaFile, offsets, timeFormat, fields, features, tags);
    }

    private FeatureSpec feature(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        String name = string(o, "name", true, "expected a name, e.g. amount");
        if (name != null && !NAME.matcher(name).matches()) {
            error(
                    o.child("name"),
                    "invalid name %s — %s",
                    shown(o.child("name"), name),
                    NAME_EXPECTED);
            name = null;
        }
        FieldPath fieldPath = fieldPath(o, "path", false);
        if (fieldPath == null && name != null && o.optional("path") == null) {
            fieldPath = FieldPath.parse(name);
        }
        FeatureType type = enumValue(o, "type", FeatureType.class, null, true);
        List<TextProjection> projections = enumList(o, "projections", TextProjection.class);
        if (projections == null) {
            projections =
                    type == FeatureType.TEXT
                            ? List.of(TextProjection.LENGTH, TextProjection.TOKEN_COUNT)
                            : List.of();
        }
        Double min = number(o, "min", null);
        Double max = number(o, "max", null);
        o.finish();
        return name == null ? null : new FeatureSpec(name, fieldPath, type, projections, min, max);
    }

    private FeedbackInput feedback(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        String topic = topic(o, "topic", null, true);
        InputFormat format = enumValue(o, "format", InputFormat.class, null, true);
        String schemaFile = file(o, "schema-file");
        StartingOffsets offsets =
                enumValue(
                        o,
                        "starting-offsets",
                        StartingOffsets.class,
                        StartingOffsets.COMMITTED,
                        false);
        TimestampFormat timeFormat =
                enumValue(
                        o, "event-time-format", TimestampFormat.class, TimestampFormat.AUTO, false);
        FeedbackFields fields = null;
        Obj f = obj(o.required("fields", "expected a mapping"), o.child("fields"));
        if (f != null) {
            fields =
                    new FeedbackFields(
                            fieldPath(f, "join-key", true),
                            fieldPath(f, "event-time", true),
                            fieldPath(f, "feedback-id", false),
                            fieldPath(f, "label", false),
                            fieldPath(f, "label-class", false));
            f.finish();
        }
        Map<String, FieldPath> attributes =
                namedPaths(o.optional("attributes"), o.child("attributes"));
        o.finish();
        return new FeedbackInput(
                topic, format, schemaFile, offsets, timeFormat, fields, attributes);
    }

    private JoinSpec join(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        Duration labelWindow = requiredDuration(o, "label-window");
        // Holding early feedback longer than its prediction could wait is pointless: a short
        // label window shortens the default hold instead of failing on a key nobody wrote.
        Duration defaultHold =
                labelWindow != null && labelWindow.compareTo(Duration.ofHours(1)) < 0
                        ? labelWindow
                        : Duration.ofHours(1);
        JoinSpec join =
                new JoinSpec(
                        labelWindow,
                        duration(o, "early-feedback-hold", defaultHold),
                        duration(o, "late-feedback-retention", Duration.ofDays(7)),
                        duration(o, "out-of-orderness", Duration.ofMinutes(5)),
                        duration(o, "idleness", Duration.ofMinutes(1)),
                        enumValue(o, "policy", FeedbackPolicy.class, FeedbackPolicy.FIRST, false),
                        enumValue(
                                o, "end-of-input", EndOfInput.class, EndOfInput.SAVEPOINT, false));
        o.finish();
        return join;
    }

    private IcebergSpec iceberg(Node node, String path, String app) {
        Obj o = node == null ? null : obj(node, path);
        if (node != null && o == null) {
            return null;
        }
        Map<String, String> catalog;
        String catalogName = "hindsight";
        String namespace = "hindsight";
        TableNames defaults = TableNames.defaults(app);
        TableNames tables = defaults;
        if (o == null) {
            catalog = defaultCatalog();
        } else {
            catalogName =
                    stringMatching(
                            o,
                            "catalog-name",
                            catalogName,
                            NAMESPACE_PART,
                            "expected lower-case letters, digits and _");
            Node catalogNode = o.optional("catalog");
            catalog =
                    catalogNode == null
                            ? defaultCatalog()
                            : stringMap(catalogNode, o.child("catalog"));
            namespace =
                    stringMatching(
                            o,
                            "namespace",
                            namespace,
                            NAMESPACE,
                            "expected lower-case letters, digits and _, levels separated by dots");
            Obj t = obj(o.optional("tables"), o.child("tables"));
            if (t != null) {
                tables =
                        new TableNames(
                                table(t, "predictions", defaults.predictions()),
                                table(t, "outcomes", defaults.outcomes()),
                                table(t, "unmatched-feedback", defaults.unmatchedFeedback()),
                                table(t, "drift", defaults.drift()),
                                table(t, "metrics", defaults.metrics()),
                                table(t, "alerts", defaults.alerts()));
                t.finish();
            }
            o.finish();
        }
        return new IcebergSpec(catalogName, catalog, namespace, tables);
    }

    private static final Pattern NAMESPACE_PART = Pattern.compile("[a-z0-9_]+");

    private static Map<String, String> defaultCatalog() {
        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("type", "hadoop");
        catalog.put(
                "warehouse",
                Path.of(".hindsight", "warehouse").toAbsolutePath().normalize().toUri().toString());
        return catalog;
    }

    private String table(Obj o, String key, String fallback) {
        return stringMatching(o, key, fallback, TABLE, "expected lower-case letters, digits and _");
    }

    private OutputsSpec outputs(Node node, String path, String app) {
        OutputsSpec defaults = OutputsSpec.defaults(app);
        if (node == null) {
            return defaults;
        }
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        OutputsSpec outputs =
                new OutputsSpec(
                        topic(o, "outcomes-topic", defaults.outcomesTopic(), false),
                        topic(o, "dead-letter-topic", defaults.deadLetterTopic(), false),
                        topic(o, "drift-topic", defaults.driftTopic(), false),
                        topic(o, "metrics-topic", defaults.metricsTopic(), false),
                        topic(o, "alerts-topic", defaults.alertsTopic(), false));
        o.finish();
        return outputs;
    }

    private DriftSpec drift(Node node, String path, PredictionInput predictions) {
        if (node == null) {
            return DriftSpec.disabled();
        }
        Obj o = obj(node, path);
        if (o == null) {
            return DriftSpec.disabled();
        }
        Boolean enabled = bool(o, "enabled", true);
        Duration window = duration(o, "window", Duration.ofHours(1));
        DriftReference reference = reference(o.optional("reference"), o.child("reference"));
        List<String> features = driftFeatures(o, predictions);
        Boolean outputs = bool(o, "model-outputs", true);
        Integer sketchK = integer(o, "sketch-k", 1000, 8, 65535, false);
        Integer maxCategories = integer(o, "max-categories", 100, 2, 100_000, false);
        DriftThresholds thresholds = DriftThresholds.DEFAULTS;
        Obj t = obj(o.optional("thresholds"), o.child("thresholds"));
        if (t != null) {
            DriftThresholds d = DriftThresholds.DEFAULTS;
            thresholds =
                    new DriftThresholds(
                            nonNull(
                                    bounded(t, "jensen-shannon", d.jensenShannon(), 0, 1, false),
                                    d.jensenShannon()),
                            nonNull(
                                    bounded(t, "psi", d.psi(), 0, Double.MAX_VALUE, false),
                                    d.psi()),
                            nonNull(
                                    bounded(
                                            t,
                                            "wasserstein",
                                            d.wasserstein(),
                                            0,
                                            Double.MAX_VALUE,
                                            false),
                                    d.wasserstein()),
                            bounded(t, "p-value", null, 0, 1, true));
            t.finish();
        }
        DriftDecision decision = decision(o);
        o.finish();
        if (!Boolean.TRUE.equals(enabled)) {
            return DriftSpec.disabled();
        }
        return new DriftSpec(
                true,
                window,
                reference,
                features,
                !Boolean.FALSE.equals(outputs),
                nonNull(sketchK, 1000),
                nonNull(maxCategories, 100),
                thresholds,
                decision);
    }

    /** The verdict's keys of the drift section: false-alarm rate, sizes and the rate rule. */
    private DriftDecision decision(Obj o) {
        DriftDecision d = DriftDecision.DEFAULTS;
        Double rate = bounded(o, "false-alarm-rate", d.falseAlarmRate(), 0, 0.5, true);
        Integer minValues = integer(o, "min-values", d.minValues(), 1, Integer.MAX_VALUE, false);
        Integer samples = integer(o, "null-samples", d.nullSamples(), 100, 100_000, false);
        DriftDecision.RateShift r = DriftDecision.RateShift.DEFAULTS;
        DriftDecision.RateShift rateShift = r;
        Obj s = obj(o.optional("rate-shift"), o.child("rate-shift"));
        if (s != null) {
            Boolean outputs = bool(s, "model-outputs", r.modelOutputs());
            List<String> features = new ArrayList<>();
            Node node = s.optional("features");
            if (node != null) {
                List<Node> items = list(node, s.child("features"));
                for (int i = 0; i < items.size(); i++) {
                    Scalar item = scalar(items.get(i), s.child("features") + "[" + i + "]");
                    if (item != null) {
                        features.add(item.value());
                    }
                }
            }
            Double maxShare = bounded(s, "max-share", r.maxShare(), 0, 1, true);
            Double change =
                    bounded(
                            s,
                            "min-relative-change",
                            r.minRelativeChange(),
                            0,
                            Double.MAX_VALUE,
                            false);
            Integer minCount = integer(s, "min-count", r.minCount(), 1, Integer.MAX_VALUE, false);
            s.finish();
            rateShift =
                    new DriftDecision.RateShift(
                            !Boolean.FALSE.equals(outputs),
                            features,
                            nonNull(maxShare, r.maxShare()),
                            nonNull(change, r.minRelativeChange()),
                            nonNull(minCount, r.minCount()));
        }
        return new DriftDecision(
                nonNull(rate, d.falseAlarmRate()),
                nonNull(minValues, d.minValues()),
                nonNull(samples, d.nullSamples()),
                rateShift);
    }

    private List<String> driftFeatures(Obj o, PredictionInput predictions) {
        Node node = o.optional("features");
        List<String> declared =
                predictions == null
                        ? List.of()
                        : predictions.features().stream()
                                .map(FeatureSpec::name)
                                .distinct()
                                .toList();
        if (node == null) {
            return declared;
        }
        String path = o.child("features");
        if (node instanceof ScalarNode) {
            Scalar s = scalar(node, path);
            if (s != null && !s.value().equals("all")) {
                error(
                        path,
                        "invalid value %s — expected all or a list of feature names",
                        s.shown());
            }
            return declared;
        }
        List<String> names = new ArrayList<>();
        List<Node> items = list(node, path);
        for (int i = 0; i < items.size(); i++) {
            Scalar s = scalar(items.get(i), path + "[" + i + "]");
            if (s != null) {
                names.add(s.value());
            }
        }
        return names;
    }

    private DriftReference reference(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return DriftReference.rolling(24);
        }
        ReferenceType type =
                enumValue(o, "type", ReferenceType.class, ReferenceType.ROLLING, false);
        Integer windows = integer(o, "windows", null, 1, 10_000, false);
        String file = string(o, "file", false, null);
        Instant from = instant(o, "from");
        Instant to = instant(o, "to");
        o.finish();
        if (type == null) {
            return null;
        }
        Map<String, Boolean> used = new LinkedHashMap<>();
        used.put("windows", windows != null);
        used.put("file", file != null);
        used.put("from", from != null || o.optional("from") != null);
        used.put("to", to != null || o.optional("to") != null);
        Set<String> allowed =
                switch (type) {
                    case ROLLING -> Set.of("windows");
                    case PROFILE -> Set.of("file");
                    case TABLE -> Set.of("from", "to");
                };
        for (Map.Entry<String, Boolean> e : used.entrySet()) {
            if (e.getValue() && !allowed.contains(e.getKey())) {
                error(
                        o.child(e.getKey()),
                        "not used with reference type '%s' — used with %s",
                        SpecNames.yamlName(type),
                        e.getKey().equals("windows")
                                ? "rolling"
                                : e.getKey().equals("file") ? "profile" : "table");
            }
        }
        return switch (type) {
            case ROLLING -> DriftReference.rolling(windows == null ? 24 : windows);
            case PROFILE -> {
                if (file == null && o.optional("file") == null) {
                    missing(o, "file", "expected the path of a profile file");
                }
                yield new DriftReference(type, 0, file == null ? null : resolve(file), null, null);
            }
            case TABLE -> {
                if (o.optional("from") == null) {
                    missing(o, "from", "expected an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z");
                }
                if (o.optional("to") == null) {
                    missing(o, "to", "expected an ISO-8601 instant, e.g. 2026-02-01T00:00:00Z");
                }
                yield new DriftReference(type, 0, null, from, to);
            }
        };
    }

    private MetricsSpec metrics(Node node, String path, PredictionInput predictions) {
        if (node == null) {
            return MetricsSpec.disabled();
        }
        Obj o = obj(node, path);
        if (o == null) {
            return MetricsSpec.disabled();
        }
        Boolean enabled = bool(o, "enabled", true);
        boolean on = !Boolean.FALSE.equals(enabled);
        MetricsTask task = enumValue(o, "task", MetricsTask.class, null, on);
        Duration window = duration(o, "window", Duration.ofDays(1));
        List<List<String>> slices = new ArrayList<>();
        String slicesPath = o.child("slices");
        List<Node> sliceNodes = list(o.optional("slices"), slicesPath);
        for (int i = 0; i < sliceNodes.size(); i++) {
            String slicePath = slicesPath + "[" + i + "]";
            Node sliceNode = sliceNodes.get(i);
            if (!(sliceNode instanceof SequenceNode)) {
                error(
                        slicePath,
                        line(sliceNode),
                        "expected a list of dimension names, e.g. [country, model_version], got %s",
                        kind(sliceNode));
                continue;
            }
            List<String> dims = new ArrayList<>();
            List<Node> dimNodes = ((SequenceNode) sliceNode).getValue();
            record(slicePath, sliceNode);
            for (int j = 0; j < dimNodes.size(); j++) {
                Scalar s = scalar(dimNodes.get(j), slicePath + "[" + j + "]");
                dims.add(s == null ? null : s.value());
            }
            slices.add(dims);
        }
        List<MetricName> metricNames = enumList(o, "metrics", MetricName.class);
        Double threshold = bounded(o, "positive-threshold", 0.5, 0, 1, true);
        Integer k = integer(o, "k", 10, 1, 1000, false);
        ExpiredAs expiredAs = enumValue(o, "expired-as", ExpiredAs.class, null, false);
        Integer bins = integer(o, "calibration-bins", 10, 2, 1000, false);
        EstimationSpec estimation = estimation(o);
        if (o.optional("estimation") != null
                && task != null
                && task != MetricsTask.BINARY_CLASSIFICATION) {
            error(
                    o.child("estimation"),
                    "performance estimation needs task 'binary-classification', got '%s' —"
                            + " expected no estimation section",
                    SpecNames.yamlName(task));
        }
        o.finish();
        if (!on) {
            return MetricsSpec.disabled();
        }
        if (metricNames == null && task != null) {
            metricNames = defaultMetrics(task, predictions);
        }
        if (expiredAs == null && task != null) {
            expiredAs =
                    task == MetricsTask.BINARY_CLASSIFICATION || task == MetricsTask.RANKING
                            ? ExpiredAs.NEGATIVE
                            : ExpiredAs.EXCLUDED;
        }
        return new MetricsSpec(
                true,
                task,
                window,
                slices,
                metricNames,
                nonNull(threshold, 0.5),
                nonNull(k, 10),
                expiredAs,
                nonNull(bins, 10),
                estimation);
    }

    /**
     * {@code metrics.estimation}: the defaults of {@link EstimationSpec#DEFAULTS} for left-outs.
     */
    private EstimationSpec estimation(Obj metrics) {
        EstimationSpec d = EstimationSpec.DEFAULTS;
        Obj e = obj(metrics.optional("estimation"), metrics.child("estimation"));
        if (e == null) {
            return d;
        }
        Double confidence = bounded(e, "confidence", d.confidence(), 0, 1, true);
        Double bound = bounded(e, "calibration-bound", d.calibrationBound(), 0, 1, false);
        Integer minRows =
                integer(e, "min-reference-rows", d.minReferenceRows(), 1, 1_000_000_000, false);
        Integer cohorts = integer(e, "reference-cohorts", d.referenceCohorts(), 1, 365, false);
        e.finish();
        return new EstimationSpec(
                nonNull(confidence, d.confidence()),
                nonNull(bound, d.calibrationBound()),
                nonNull(minRows, d.minReferenceRows()),
                nonNull(cohorts, d.referenceCohorts()));
    }

    /**
     * All of the task's metrics, less multiclass AUC / log loss when no class scores are mapped.
     */
    private static List<MetricName> defaultMetrics(MetricsTask task, PredictionInput predictions) {
        boolean scores =
                predictions != null
                        && predictions.fields() != null
                        && predictions.fields().scores() != null;
        List<MetricName> names = new ArrayList<>();
        for (MetricName m : task.allowedMetrics()) {
            boolean needsScores = MetricsTask.NEED_CLASS_SCORES.contains(m);
            if (task == MetricsTask.MULTICLASS_CLASSIFICATION && needsScores && !scores) {
                continue;
            }
            names.add(m);
        }
        return names;
    }

    private List<AlertRuleSpec> alerts(Node node, String path, DriftSpec drift) {
        List<AlertRuleSpec> rules = new ArrayList<>();
        List<Node> items = list(node, path);
        for (int i = 0; i < items.size(); i++) {
            AlertRuleSpec rule = alert(items.get(i), path + "[" + i + "]", drift);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private AlertRuleSpec alert(Node node, String path, DriftSpec drift) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        String name = string(o, "name", true, "expected a name, e.g. auc-drop");
        if (name != null && !ALERT_NAME.matcher(name).matches()) {
            error(
                    o.child("name"),
                    "invalid name %s — expected lower-case letters, digits, _ and -",
                    shown(o.child("name"), name));
            name = null;
        }
        AlertSource source = enumValue(o, "source", AlertSource.class, null, true);
        MetricName metric = enumValue(o, "metric", MetricName.class, null, false);
        String feature = string(o, "feature", false, null);
        DriftStatistic statistic =
                enumValue(
                        o,
                        "statistic",
                        DriftStatistic.class,
                        source == AlertSource.DRIFT ? DriftStatistic.JENSEN_SHANNON : null,
                        false);
        List<String> slice = new ArrayList<>();
        String slicePath = o.child("slice");
        List<Node> dims = list(o.optional("slice"), slicePath);
        for (int j = 0; j < dims.size(); j++) {
            Scalar s = scalar(dims.get(j), slicePath + "[" + j + "]");
            if (s != null) {
                slice.add(s.value());
            }
        }
        AlertCondition condition = condition(o.optional("condition"), o.child("condition"));
        Integer minSupport = integer(o, "min-support", 100, 1, Integer.MAX_VALUE, false);
        Severity severity = enumValue(o, "severity", Severity.class, Severity.WARNING, false);
        Double pValue = bounded(o, "p-value", null, 0, 1, true);
        o.finish();
        if (source == AlertSource.METRICS && metric == null && o.optional("metric") == null) {
            missing(o, "metric", "expected a metric name, e.g. auc");
        }
        if (source == AlertSource.DRIFT && feature == null && o.optional("feature") == null) {
            missing(o, "feature", "expected a feature or model output name, e.g. score");
        }
        if (source != null) {
            List<String> foreign =
                    source == AlertSource.METRICS
                            ? List.of("feature", "statistic", "p-value")
                            : List.of("metric", "slice");
            for (String key : foreign) {
                if (o.optional(key) != null) {
                    error(
                            o.child(key),
                            "only used with source %s — expected no %s with source %s",
                            source == AlertSource.METRICS ? "drift" : "metrics",
                            key,
                            SpecNames.yamlName(source));
                }
            }
        }
        // An effect-size drift rule without a condition alerts where drift.thresholds flags drift.
        if (condition == null
                && o.optional("condition") == null
                && source == AlertSource.DRIFT
                && statistic != null
                && statistic.effectSize()
                && drift.enabled()) {
            condition =
                    new AlertCondition(
                            ConditionType.ABOVE, drift.thresholds().threshold(statistic), null);
        }
        if (condition == null && o.optional("condition") == null && source != null) {
            boolean defaults =
                    source == AlertSource.DRIFT && statistic != null && statistic.effectSize();
            if (!defaults) {
                missing(
                        o,
                        "condition",
                        source == AlertSource.DRIFT
                                ? "expected above, below or drop (only jensen-shannon, psi and"
                                        + " wasserstein default to drift.thresholds)"
                                : "expected above, below or drop");
            }
        }
        return new AlertRuleSpec(
                name,
                source,
                metric,
                feature,
                source == AlertSource.DRIFT ? statistic : null,
                slice,
                condition,
                nonNull(minSupport, 100),
                severity,
                pValue);
    }

    private AlertCondition condition(Node node, String path) {
        Obj o = obj(node, path);
        if (o == null) {
            return null;
        }
        Double above = number(o, "above", null);
        Double below = number(o, "below", null);
        Double drop = bounded(o, "drop", null, 0, 1, false);
        Duration baseline = duration(o, "baseline", null);
        o.finish();
        int given =
                (o.optional("above") != null ? 1 : 0)
                        + (o.optional("below") != null ? 1 : 0)
                        + (o.optional("drop") != null ? 1 : 0);
        if (given != 1) {
            error(
                    path,
                    line(node),
                    "%s — expected exactly one of above, below, drop",
                    given == 0 ? "no condition given" : "conflicting conditions");
            return null;
        }
        if (o.optional("drop") != null) {
            if (o.optional("baseline") == null) {
                missing(o, "baseline", "expected the window the drop is measured against, e.g. 7d");
            }
            return drop == null ? null : new AlertCondition(ConditionType.DROP, drop, baseline);
        }
        if (o.optional("baseline") != null) {
            error(
                    o.child("baseline"),
                    "only used with drop — expected no baseline with above or below");
        }
        if (above != null) {
            return new AlertCondition(ConditionType.ABOVE, above, null);
        }
        return below == null ? null : new AlertCondition(ConditionType.BELOW, below, null);
    }

    // ---------------------------------------------------------------- values

    /** A scalar after substitution, and how messages show it. */
    record Scalar(String value, String shown) {}

    private Scalar scalar(Node node, String path) {
        record(path, node);
        if (!(node instanceof ScalarNode)) {
            error(path, line(node), "expected a single value, got %s", kind(node));
            return null;
        }
        String raw = ((ScalarNode) node).getValue();
        EnvSubstitution.Result r = EnvSubstitution.substitute(raw, env);
        if (!r.problems().isEmpty()) {
            for (String problem : r.problems()) {
                error(path, line(node), "%s", problem);
            }
            return null;
        }
        source.original(path, raw);
        return new Scalar(r.value(), "'" + raw + "'");
    }

    private String string(Obj o, String key, boolean required, String expected) {
        Node node = required ? o.required(key, expected) : o.optional(key);
        if (node == null) {
            return null;
        }
        Scalar s = scalar(node, o.child(key));
        if (s == null) {
            return null;
        }
        if (s.value().isBlank()) {
            if (required) {
                error(o.child(key), line(node), "empty value — %s", expected);
            }
            return null;
        }
        return s.value();
    }

    private String stringMatching(
            Obj o, String key, String fallback, Pattern pattern, String expected) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        if (!pattern.matcher(value).matches()) {
            error(o.child(key), "invalid name %s — %s", shown(o.child(key), value), expected);
            return fallback;
        }
        return value;
    }

    private String topic(Obj o, String key, String fallback, boolean required) {
        String value = string(o, key, required, "expected a topic name");
        if (value == null) {
            return fallback;
        }
        if (!TOPIC.matcher(value).matches()) {
            error(
                    o.child(key),
                    "invalid topic name %s — expected letters, digits, '.', '_' and '-', at"
                            + " most 249",
                    shown(o.child(key), value));
            return fallback;
        }
        return value;
    }

    private String file(Obj o, String key) {
        String value = string(o, key, false, null);
        if (value == null) {
            return null;
        }
        String resolved = resolve(value);
        if (!Files.isRegularFile(Path.of(resolved))) {
            error(
                    o.child(key),
                    "file not found %s — resolved to %s",
                    shown(o.child(key), value),
                    resolved);
        }
        return resolved;
    }

    private String resolve(String file) {
        Path p = Path.of(file);
        Path base = baseDir == null ? Path.of("") : baseDir;
        return (p.isAbsolute() ? p : base.resolve(p)).toAbsolutePath().normalize().toString();
    }

    private FieldPath fieldPath(Obj o, String key, boolean required) {
        String value = string(o, key, required, "expected a field path, e.g. request.id");
        if (value == null) {
            return null;
        }
        Optional<String> problem = FieldPath.problem(value);
        if (problem.isPresent()) {
            error(o.child(key), "%s", problem.get());
            return null;
        }
        return FieldPath.parse(value);
    }

    private ValueSource valueSource(Obj o, String key) {
        Node node = o.required(key, "expected a field path, or a constant as {value: fraud-gbm}");
        if (node == null) {
            return null;
        }
        if (node instanceof MappingNode) {
            Obj c = obj(node, o.child(key));
            String constant = string(c, "value", true, "expected the constant, e.g. fraud-gbm");
            c.finish();
            return constant == null ? null : ValueSource.ofConstant(constant);
        }
        FieldPath path = fieldPath(o, key, true);
        return path == null ? null : ValueSource.ofPath(path);
    }

    private Map<String, FieldPath> namedPaths(Node node, String path) {
        Map<String, FieldPath> out = new LinkedHashMap<>();
        Obj o = obj(node, path);
        if (o == null) {
            return out;
        }
        for (String key : o.keys()) {
            if (!NAME.matcher(key).matches()) {
                error(o.child(key), "invalid name '%s' — %s", key, NAME_EXPECTED);
                o.optional(key);
                continue;
            }
            FieldPath p = fieldPath(o, key, true);
            if (p != null) {
                out.put(key, p);
            }
        }
        return out;
    }

    private Map<String, String> stringMap(Node node, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        Obj o = obj(node, path);
        if (o == null) {
            return out;
        }
        for (String key : o.keys()) {
            Node value = o.optional(key);
            Scalar s = value == null ? null : scalar(value, o.child(key));
            // An empty value (e.g. ${env:TOKEN:-}) leaves the property unset.
            if (s != null && !s.value().isEmpty()) {
                out.put(key, s.value());
            }
        }
        return out;
    }

    private List<Node> list(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        record(path, node);
        if (!(node instanceof SequenceNode)) {
            error(path, line(node), "expected a list, got %s", kind(node));
            return List.of();
        }
        return ((SequenceNode) node).getValue();
    }

    private <E extends Enum<E>> E enumValue(
            Obj o, String key, Class<E> type, E fallback, boolean required) {
        String value =
                string(
                        o,
                        key,
                        required,
                        "expected one of: " + String.join(", ", SpecNames.yamlNames(type)));
        if (value == null) {
            return required ? null : fallback;
        }
        Optional<E> e = SpecNames.fromYaml(type, value);
        if (e.isEmpty()) {
            error(
                    o.child(key),
                    "invalid value %s — expected one of: %s",
                    shown(o.child(key), value),
                    String.join(", ", SpecNames.yamlNames(type)));
            return required ? null : fallback;
        }
        return e.get();
    }

    /** The listed enum values, or null when the key is absent (so callers apply their default). */
    private <E extends Enum<E>> List<E> enumList(Obj o, String key, Class<E> type) {
        Node node = o.optional(key);
        if (node == null) {
            return null;
        }
        List<E> out = new ArrayList<>();
        List<Node> items = list(node, o.child(key));
        for (int i = 0; i < items.size(); i++) {
            String path = o.child(key) + "[" + i + "]";
            Scalar s = scalar(items.get(i), path);
            if (s == null) {
                continue;
            }
            Optional<E> e = SpecNames.fromYaml(type, s.value());
            if (e.isEmpty()) {
                error(
                        path,
                        "invalid value %s — expected one of: %s",
                        s.shown(),
                        String.join(", ", SpecNames.yamlNames(type)));
            } else if (out.contains(e.get())) {
                error(path, "duplicate value %s — list each once", s.shown());
            } else {
                out.add(e.get());
            }
        }
        return out;
    }

    private Duration requiredDuration(Obj o, String key) {
        if (o.required(key, "expected a duration, e.g. 60d") == null) {
            return null;
        }
        return duration(o, key, null);
    }

    private Duration duration(Obj o, String key, Duration fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        Optional<Duration> d = Durations.parse(value.trim());
        if (d.isEmpty()) {
            error(
                    o.child(key),
                    "invalid duration %s — %s",
                    shown(o.child(key), value),
                    Durations.EXPECTED);
            return null;
        }
        if (d.get().isNegative() || d.get().isZero()) {
            error(
                    o.child(key),
                    "invalid duration %s — expected a positive duration, e.g. 60d",
                    shown(o.child(key), value));
            return null;
        }
        return d.get();
    }

    private Integer integer(
            Obj o, String key, Integer fallback, int min, int max, boolean required) {
        String value = string(o, key, required, "expected a whole number");
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                error(
                        o.child(key),
                        "invalid number %s — %s",
                        shown(o.child(key), value),
                        max == Integer.MAX_VALUE
                                ? "expected at least " + min
                                : "expected " + min + " to " + max);
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            error(
                    o.child(key),
                    "invalid number %s — expected a whole number",
                    shown(o.child(key), value));
            return fallback;
        }
    }

    private Double number(Obj o, String key, Double fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(value.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below, like a non-finite value
        }
        error(
                o.child(key),
                "invalid number %s — expected a number, e.g. 0.5",
                shown(o.child(key), value));
        return fallback;
    }

    /** A number in (lo, hi) or (lo, hi] as {@code hiExclusive} says; lo is always exclusive. */
    private Double bounded(
            Obj o, String key, Double fallback, double lo, double hi, boolean hiExclusive) {
        if (o.optional(key) == null) {
            return fallback;
        }
        Double d = number(o, key, null);
        if (d == null) {
            return fallback;
        }
        boolean ok = d > lo && (hiExclusive ? d < hi : d <= hi);
        if (!ok) {
            String range =
                    hi == Double.MAX_VALUE
                            ? "expected a number above " + fmt(lo)
                            : "expected a number above "
                                    + fmt(lo)
                                    + " and "
                                    + (hiExclusive ? "below " : "at most ")
                                    + fmt(hi);
            error(
                    o.child(key),
                    "invalid number %s — %s",
                    shown(o.child(key), o.optionalText(key)),
                    range);
            return fallback;
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private Boolean bool(Obj o, String key, Boolean fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        error(
                o.child(key),
                "invalid value %s — expected true or false",
                shown(o.child(key), value));
        return fallback;
    }

    private Instant instant(Obj o, String key) {
        String value = string(o, key, false, null);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            error(
                    o.child(key),
                    "invalid instant %s — expected ISO-8601 in UTC, e.g. 2026-01-01T00:00:00Z",
                    shown(o.child(key), value));
            return null;
        }
    }

    private static <T> T nonNull(T value, T fallback) {
        return value == null ? fallback : value;
    }

    // ---------------------------------------------------------------- nodes and errors

    private Obj obj(Node node, String path) {
        if (node == null) {
            return null;
        }
        record(path, node);
        if (!(node instanceof MappingNode)) {
            error(path, line(node), "expected a mapping of keys, got %s", kind(node));
            return null;
        }
        return new Obj((MappingNode) node, path);
    }

    private void record(String path, Node node) {
        source.line(path, line(node));
    }

    private String shown(String path, String value) {
        return source.shown(path, value);
    }

    private void missing(Obj o, String key, String expected) {
        SpecError e = new SpecError(o.child(key), o.line, "missing required key — " + expected);
        errors.add(e);
        o.missing.put(key, e);
    }

    private void error(String path, String format, Object... args) {
        error(path, source.lineOf(path), format, args);
    }

    private void error(String path, int line, String format, Object... args) {
        errors.add(new SpecError(path, line, String.format(format, args)));
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    /** A YAML mapping being read: remembers which keys were used so the rest are reported. */
    private final class Obj {
        private final String path;
        private final int line;
        private final Map<String, Node> entries = new LinkedHashMap<>();
        private final Set<String> known = new LinkedHashSet<>();
        private final Map<String, SpecError> missing = new LinkedHashMap<>();

        Obj(MappingNode node, String path) {
            this.path = path;
            this.line = line(node);
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode)) {
                    error(
                            path.isEmpty() ? "spec" : path,
                            line(keyNode),
                            "expected a plain key, got %s",
                            kind(keyNode));
                    continue;
                }
                String key = ((ScalarNode) keyNode).getValue();
                String child = child(key);
                if (entries.containsKey(key)) {
                    error(
                            child,
                            line(keyNode),
                            "duplicate key — first given on line %d",
                            source.lineOf(child));
                    continue;
                }
                entries.put(key, tuple.getValueNode());
                source.line(child, line(keyNode));
            }
        }

        String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        Set<String> keys() {
            return entries.keySet();
        }

        /** The value of {@code key}, or null when absent or YAML null; marks the key known. */
        Node optional(String key) {
            known.add(key);
            Node node = entries.get(key);
            return node == null || isNull(node) ? null : node;
        }

        String optionalText(String key) {
            Node node = optional(key);
            return node instanceof ScalarNode ? ((ScalarNode) node).getValue() : "";
        }

        Node required(String key, String expected) {
            Node node = optional(key);
            if (node == null) {
                missing(this, key, expected);
            }
            return node;
        }

        /** Reports every key nobody asked for, suggesting the closest known key. */
        void finish() {
            for (String key : entries.keySet()) {
                if (known.contains(key)) {
                    continue;
                }
                Optional<String> suggestion = Suggestions.closest(key, known);
                // A misspelt required key is one mistake: the typo, not also the missing key.
                suggestion.map(missing::get).ifPresent(errors::remove);
                error(
                        child(key),
                        source.lineOf(child(key)),
                        "%s",
                        suggestion.isPresent()
                                ? "unknown key (did you mean '" + suggestion.get() + "'?)"
                                : "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }
}
