package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * When an alert fires: above or below a threshold, or a relative drop by {@code threshold} (a
 * fraction) against the mean over the preceding {@code baseline} (null unless DROP).
 */
public record AlertCondition(ConditionType type, double threshold, Duration baseline)
        implements Serializable {}
