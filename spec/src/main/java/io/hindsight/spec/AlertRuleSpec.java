package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * An alert rule. For METRICS rules {@code metric} is set and {@code slice} names the slice's
 * dimensions (empty = whole population); for DRIFT rules {@code feature} and {@code statistic} are
 * set. {@code maxPValue} (drift only, null unless opted in) also requires the drift test's p-value
 * to be below it. {@code minSupport} is the least number of predictions (metrics: labeled ones) the
 * window must have.
 */
public record AlertRuleSpec(
        String name,
        AlertSource source,
        MetricName metric,
        String feature,
        DriftStatistic statistic,
        List<String> slice,
        AlertCondition condition,
        long minSupport,
        Severity severity,
        Double maxPValue)
        implements Serializable {

    public AlertRuleSpec {
        slice = Collections2.list(slice);
    }
}
