package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * One monitored application's job spec. {@code drift}, {@code metrics} and {@code maintenance} are
 * never null: a section left out of the YAML is a disabled object ({@link DriftSpec#disabled()}).
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
        List<AlertRuleSpec> alerts,
        MaintenanceSpec maintenance)
        implements Serializable {

    /** The only spec version this release reads. */
    public static final int CURRENT_VERSION = 1;

    public JobSpec {
        alerts = Collections2.list(alerts);
        maintenance = maintenance == null ? MaintenanceSpec.defaults() : maintenance;
    }

    /** A spec without a {@code maintenance} section: its defaults. */
    public JobSpec(
            int version,
            String application,
            KafkaSpec kafka,
            InputsSpec inputs,
            JoinSpec join,
            IcebergSpec iceberg,
            OutputsSpec outputs,
            DriftSpec drift,
            MetricsSpec metrics,
            List<AlertRuleSpec> alerts) {
        this(
                version,
                application,
                kafka,
                inputs,
                join,
                iceberg,
                outputs,
                drift,
                metrics,
                alerts,
                MaintenanceSpec.defaults());
    }
}
