package io.hindsight.alerts;

import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.JobSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The spec's alert rules, resolved; turns drift, slice-metric and discovered-slice rows into
 * observations.
 */
final class AlertRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, AlertRule> byName;
    private final List<AlertRule> metrics;
    private final List<AlertRule> drift;
    private final List<AlertRule> discovery;

    private AlertRules(List<AlertRule> rules) {
        byName = new LinkedHashMap<>();
        metrics = new ArrayList<>();
        drift = new ArrayList<>();
        discovery = new ArrayList<>();
        for (AlertRule rule : rules) {
            if (byName.put(rule.name, rule) != null) {
                throw new IllegalArgumentException(
                        String.format("duplicate alert rule name '%s'", rule.name));
            }
            (rule.isDrift() ? drift : rule.isDiscovery() ? discovery : metrics).add(rule);
        }
    }

    static AlertRules of(JobSpec spec) {
        List<AlertRule> rules = new ArrayList<>();
        for (AlertRuleSpec rule : spec.alerts()) {
            rules.add(AlertRule.of(rule, spec));
        }
        return new AlertRules(rules);
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    boolean hasMetricsRules() {
        return !metrics.isEmpty();
    }

    boolean hasDriftRules() {
        return !drift.isEmpty();
    }

    boolean hasDiscoveryRules() {
        return !discovery.isEmpty();
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The rule of an observation; fails on a name the spec does not hold. */
    AlertRule rule(String name) {
        AlertRule rule = byName.get(name);
        if (rule == null) {
            throw new IllegalStateException(
                    String.format(
                            "no alert rule '%s' in the spec (known: %s)",
                            name, String.join(", ", byName.keySet())));
        }
        return rule;
    }

    /**
     * One observation per metrics rule whose slice is the row's: the row's dimension names equal
     * the rule's (empty for the population row). Returns how many were emitted.
     */
    int observe(SliceMetric row, Consumer<RuleObservation> out) {
        int emitted = 0;
        for (AlertRule rule : metrics) {
            if (!rule.sliceDimensions.equals(row.getDimensions().keySet())) {
                continue;
            }
            RuleObservation o =
                    observation(
                            row.getApplication(),
                            rule,
                            row.getSlice(),
                            row.getWindowStart().toEpochMilli(),
                            row.getWindowEnd().toEpochMilli(),
                            row.getRevision(),
                            row.getAsOf().toEpochMilli());
            o.value = orNaN(rule.measure.value(row));
            o.pValue = Double.NaN;
            o.support = rule.measure.support(row);
            out.accept(o);
            emitted++;
        }
        return emitted;
    }

    /** One observation per drift rule on the row's feature. Returns how many were emitted. */
    int observe(DriftResult row, Consumer<RuleObservation> out) {
        int emitted = 0;
        for (AlertRule rule : drift) {
            if (!rule.feature.equals(row.getFeature())) {
                continue;
            }
            long windowEnd = row.getWindowEnd().toEpochMilli();
            // One row per window, emitted when the watermark passes the window's end.
            RuleObservation o =
                    observation(
                            row.getApplication(),
                            rule,
                            row.getFeature(),
                            row.getWindowStart().toEpochMilli(),
                            windowEnd,
                            1,
                            windowEnd);
            // A window too small to decide neither fires nor resolves, like a missing value.
            o.value =
                    Boolean.TRUE.equals(row.getInsufficientData())
                            ? Double.NaN
                            : orNaN(rule.measure.value(row));
            o.pValue = orNaN(Measure.pValue(row));
            o.support = rule.measure.support(row);
            Map<String, Double> noise = row.getNoiseThresholds();
            o.noiseThreshold = noise == null ? Double.NaN : orNaN(noise.get(rule.measure.column()));
            out.accept(o);
            emitted++;
        }
        return emitted;
    }

    /**
     * One observation per discovery rule whose dimensions are the row's (any, when the rule names
     * none); the subject is the slice and metric, e.g. {@code country=BR,model_version=v7 auc}.
     * Value: the effect; p-value: the q-value; support: the slice's labelled rows.
     */
    int observe(DiscoveredSlice row, Consumer<RuleObservation> out) {
        int emitted = 0;
        for (AlertRule rule : discovery) {
            if (!rule.sliceDimensions.isEmpty()
                    && !rule.sliceDimensions.equals(row.getDimensions().keySet())) {
                continue;
            }
            RuleObservation o =
                    observation(
                            row.getApplication(),
                            rule,
                            row.getSlice() + " " + row.getMetric(),
                            row.getWindowStart().toEpochMilli(),
                            row.getWindowEnd().toEpochMilli(),
                            row.getRevision(),
                            row.getAsOf().toEpochMilli());
            o.value = row.getEffect();
            o.pValue = row.getQValue();
            o.support = row.getSupport();
            out.accept(o);
            emitted++;
        }
        return emitted;
    }

    private static RuleObservation observation(
            String application,
            AlertRule rule,
            String subject,
            long windowStart,
            long windowEnd,
            int revision,
            long eventTime) {
        RuleObservation o = new RuleObservation();
        o.key = RuleObservation.key(application, rule.name, subject);
        o.application = application;
        o.rule = rule.name;
        o.subject = subject;
        o.windowStart = windowStart;
        o.windowEnd = windowEnd;
        o.revision = revision;
        o.eventTime = eventTime;
        return o;
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }
}
