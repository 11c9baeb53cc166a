package io.hindsight.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every default of the spec in one place: what a key left out means, and the rules by which a
 * default follows from other keys (the early-feedback hold from the label window, the metrics and
 * {@code expired-as} from the task, an effect-size drift rule's condition from {@code
 * drift.thresholds}). The section readers take their defaults from here and from nowhere else;
 * {@code spec/README.md}'s tables document the same values.
 */
final class SpecDefaults {

    private SpecDefaults() {}

    // ---------------------------------------------------------------- kafka

    /** {@code kafka.group-id}: {@code hindsight-<application>}. */
    static String groupId(String application) {
        return "hindsight-" + application;
    }

    // ---------------------------------------------------------------- inputs

    static final Duration MAX_EVENT_TIME_LAG = Duration.ofDays(400);
    static final Duration MAX_EVENT_TIME_LEAD = Duration.ofDays(1);
    static final StartingOffsets STARTING_OFFSETS = StartingOffsets.COMMITTED;
    static final TimestampFormat EVENT_TIME_FORMAT = TimestampFormat.AUTO;

    /** A feature without {@code path} reads the field of its own name. */
    static FieldPath featurePath(String name) {
        return FieldPath.parse(name);
    }

    /** A text feature without {@code projections} is watched by its length and token count. */
    static List<TextProjection> projections(FeatureType type) {
        return type == FeatureType.TEXT
                ? List.of(TextProjection.LENGTH, TextProjection.TOKEN_COUNT)
                : List.of();
    }

    // ---------------------------------------------------------------- join

    /** The early-feedback hold of a label window of at least this length. */
    static final Duration EARLY_FEEDBACK_HOLD = Duration.ofHours(1);

    static final Duration LATE_FEEDBACK_RETENTION = Duration.ofDays(7);
    static final Duration OUT_OF_ORDERNESS = Duration.ofMinutes(5);
    static final Duration IDLENESS = Duration.ofMinutes(1);

    /** {@code join.max-source-drift}: no source alignment unless asked for. */
    static final Duration MAX_SOURCE_DRIFT = Duration.ZERO;

    static final FeedbackPolicy POLICY = FeedbackPolicy.FIRST;
    static final EndOfInput END_OF_INPUT = EndOfInput.SAVEPOINT;

    /**
     * {@code join.early-feedback-hold}: 1h, or the label window if shorter. Holding early feedback
     * longer than its prediction could wait is pointless: a short label window shortens the default
     * hold instead of failing on a key nobody wrote. {@code labelWindow} may be null (not given or
     * invalid, already reported).
     */
    static Duration earlyFeedbackHold(Duration labelWindow) {
        return labelWindow != null && labelWindow.compareTo(EARLY_FEEDBACK_HOLD) < 0
                ? labelWindow
                : EARLY_FEEDBACK_HOLD;
    }

    // ---------------------------------------------------------------- iceberg

    static final String CATALOG_NAME = "hindsight";
    static final String NAMESPACE = "hindsight";

    /** {@code iceberg.catalog}: a Hadoop catalog over {@code .hindsight/warehouse} in the cwd. */
    static Map<String, String> catalog() {
        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("type", "hadoop");
        catalog.put(
                "warehouse",
                Path.of(".hindsight", "warehouse").toAbsolutePath().normalize().toUri().toString());
        return catalog;
    }

    /** {@code iceberg.tables}: {@code <app>_predictions}, ... */
    static TableNames tables(String application) {
        return TableNames.defaults(application);
    }

    // ---------------------------------------------------------------- maintenance

    static final boolean MAINTENANCE_IN_JOB = false;
    static final Duration MAINTENANCE_CHECK_INTERVAL = Duration.ofMinutes(1);
    static final int COMPACT_EVERY_COMMITS = 50;
    static final int TARGET_FILE_SIZE_MB = 128;
    static final int COMPACT_MIN_INPUT_FILES = 5;
    static final Duration EXPIRE_EVERY = Duration.ofHours(1);
    static final Duration EXPIRE_OLDER_THAN = Duration.ofDays(7);
    static final int RETAIN_LAST = 100;
    static final Duration ORPHANS_EVERY = Duration.ofDays(1);
    static final Duration ORPHANS_OLDER_THAN = Duration.ofDays(3);

    /**
     * The least {@code maintenance.orphan-files.older-than}: a checkpoint's data files are
     * unreferenced until the commit after it, and a job restored from that checkpoint commits them
     * again; younger files must never look orphaned.
     */
    static final Duration ORPHANS_MIN_AGE = Duration.ofDays(1);

    /** A left-out {@code maintenance} section: every default, not in the job. */
    static MaintenanceSpec maintenance() {
        return new MaintenanceSpec(
                MAINTENANCE_IN_JOB,
                MAINTENANCE_CHECK_INTERVAL,
                COMPACT_EVERY_COMMITS,
                TARGET_FILE_SIZE_MB * 1024L * 1024L,
                COMPACT_MIN_INPUT_FILES,
                EXPIRE_EVERY,
                EXPIRE_OLDER_THAN,
                RETAIN_LAST,
                ORPHANS_EVERY,
                ORPHANS_OLDER_THAN,
                null,
                Map.of());
    }

    // ---------------------------------------------------------------- outputs

    /** {@code outputs}: {@code hindsight.<application>.outcomes}, ... */
    static OutputsSpec outputs(String application) {
        return OutputsSpec.defaults(application);
    }

    // ---------------------------------------------------------------- drift

    /** A left-out {@code drift} section (or {@code enabled: false}). */
    static DriftSpec drift() {
        return DriftSpec.disabled();
    }

    static final boolean DRIFT_ENABLED = true;
    static final Duration DRIFT_WINDOW = Duration.ofHours(1);
    static final ReferenceType REFERENCE_TYPE = ReferenceType.ROLLING;
    static final int REFERENCE_WINDOWS = 24;
    static final boolean MODEL_OUTPUTS = true;
    static final int SKETCH_K = 1000;
    static final int MAX_CATEGORIES = 100;

    // Compile-time constants, so that the records' DEFAULTS can be built from them without
    // initialising this class first.
    static final double JENSEN_SHANNON = 0.1;
    static final double PSI = 0.2;
    static final double WASSERSTEIN = 0.1;
    static final double FALSE_ALARM_RATE = 0.01;
    static final int MIN_VALUES = 30;
    static final int NULL_SAMPLES = 1000;
    static final boolean RATE_SHIFT_MODEL_OUTPUTS = true;
    static final double RATE_SHIFT_MAX_SHARE = 0.25;
    static final double RATE_SHIFT_MIN_RELATIVE_CHANGE = 0.25;
    static final int RATE_SHIFT_MIN_COUNT = 5;

    /** {@code drift.reference}: the previous {@value #REFERENCE_WINDOWS} windows. */
    static DriftReference reference() {
        return DriftReference.rolling(REFERENCE_WINDOWS);
    }

    /** {@code drift.features: all}: every declared feature, once each, in declaration order. */
    static List<String> driftFeatures(PredictionInput predictions) {
        return predictions == null
                ? List.of()
                : predictions.features().stream().map(FeatureSpec::name).distinct().toList();
    }

    // ---------------------------------------------------------------- metrics

    /** A left-out {@code metrics} section (or {@code enabled: false}). */
    static MetricsSpec metrics() {
        return MetricsSpec.disabled();
    }

    static final boolean METRICS_ENABLED = true;
    static final Duration METRICS_WINDOW = Duration.ofDays(1);
    static final double POSITIVE_THRESHOLD = 0.5;
    static final int K = 10;
    static final int CALIBRATION_BINS = 10;

    // ---------------------------------------------------------------- metrics.discovery

    /** A left-out {@code metrics.discovery} block: no slice discovery. */
    static DiscoverySpec discovery() {
        return DiscoverySpec.DISABLED;
    }

    static final boolean DISCOVERY_ENABLED = true;
    static final int DISCOVERY_MAX_DIMENSIONS = 2;
    static final double DISCOVERY_Q = 0.05;
    static final int DISCOVERY_MIN_SUPPORT = 200;
    static final int DISCOVERY_MAX_VALUES = 100;

    /** {@code metrics.discovery.table}: {@code <app>_discovered_slices}. */
    static String discoveryTable(String application) {
        return DiscoverySpec.defaultTable(application);
    }

    /** {@code metrics.discovery.topic}: {@code hindsight.<application>.discovered-slices}. */
    static String discoveryTopic(String application) {
        return DiscoverySpec.defaultTopic(application);
    }

    static final double ESTIMATION_CONFIDENCE = 0.99;
    static final double ESTIMATION_CALIBRATION_BOUND = 0.05;
    static final int ESTIMATION_MIN_REFERENCE_ROWS = 1000;
    static final int ESTIMATION_REFERENCE_COHORTS = 7;

    /**
     * {@code metrics.metrics}: all of the task's metrics, less multiclass AUC / log loss when no
     * class scores are mapped.
     */
    static List<MetricName> metricNames(MetricsTask task, PredictionInput predictions) {
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

    /** {@code metrics.expired-as}: negative for binary and ranking, else excluded. */
    static ExpiredAs expiredAs(MetricsTask task) {
        return task == MetricsTask.BINARY_CLASSIFICATION || task == MetricsTask.RANKING
                ? ExpiredAs.NEGATIVE
                : ExpiredAs.EXCLUDED;
    }

    // ---------------------------------------------------------------- alerts

    static final int MIN_SUPPORT = 100;
    static final Severity SEVERITY = Severity.WARNING;

    /** {@code alerts[i].statistic}: jensen-shannon for a drift rule, none for a metrics rule. */
    static DriftStatistic statistic(AlertSource source) {
        return source == AlertSource.DRIFT ? DriftStatistic.JENSEN_SHANNON : null;
    }

    /**
     * {@code alerts[i].condition} of an effect-size drift rule without one: above the statistic's
     * {@code drift.thresholds} value, where drift flags it. Empty for any other rule (its condition
     * is required) and while drift is disabled (there are no thresholds).
     */
    static Optional<AlertCondition> condition(
            AlertSource source, DriftStatistic statistic, DriftSpec drift) {
        if (source == AlertSource.DRIFT
                && statistic != null
                && statistic.effectSize()
                && drift.enabled()) {
            return Optional.of(
                    new AlertCondition(
                            ConditionType.ABOVE, drift.thresholds().threshold(statistic), null));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- curation

    /** {@code curation.retrain-topic}: {@code hindsight.<application>.retrain}. */
    static String retrainTopic(String application) {
        return CurationSpec.defaultRetrainTopic(application);
    }

    /** {@code select.threshold}: the score above which a prediction is positive. */
    static final double CURATION_THRESHOLD = 0.5;

    static final CurationSampling SAMPLING = CurationSampling.UNIFORM;
    static final Duration CURATION_PERIOD = Duration.ofDays(1);

    /** {@code from}: outcomes when the rule selects wrong predictions, else predictions. */
    static CurationSource curationSource(boolean wrong) {
        return wrong ? CurationSource.OUTCOMES : CurationSource.PREDICTIONS;
    }
}
