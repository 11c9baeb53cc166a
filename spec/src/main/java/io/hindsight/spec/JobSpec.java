package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * One monitored application's job spec. {@code drift} and {@code metrics} are never null: a section
 * left out of the YAML is a disabled object ({@link DriftSpec#disabled()}).
 */
public record JobSpec(
        int version,
        String application,
        KafkaSpec kafka,
        InputsSpec inputs,
        JoinSpec join,
        IcebergSpec iceberg,
        OutputsSpec outputs,
        DriftSpec drift,
        MetricsSpec metrics,
        List<AlertRuleSpec> alerts)
        implements Serializable {

    /** The only spec version this release reads. */
    public static final int CURRENT_VERSION = 1;

    public JobSpec {
        alerts = Collections2.list(alerts);
    }
}
