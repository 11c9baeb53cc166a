package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * One monitored application's job spec. {@code drift}, {@code metrics}, {@code curation} and {@code
 * maintenance} are never null: a section left out of the YAML is a disabled object ({@link
 * DriftSpec#disabled()}, {@link CurationSpec#disabled()}) or its defaults ({@link
 * MaintenanceSpec#defaults()}).
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
        CurationSpec curation,
        MaintenanceSpec maintenance)
        implements Serializable {

    /** The only spec version this release reads. */
    public static final int CURRENT_VERSION = 1;

    /** A spec without curation rules or retraining triggers and with the maintenance defaults. */
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
                CurationSpec.disabled(),
                MaintenanceSpec.defaults());
    }

    public JobSpec {
        alerts = Collections2.list(alerts);
        curation = curation == null ? CurationSpec.disabled() : curation;
        maintenance = maintenance == null ? MaintenanceSpec.defaults() : maintenance;
    }
}
