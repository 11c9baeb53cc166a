package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * Worst-slice discovery ({@code metrics.discovery}): per cohort, every combination of up to {@code
 * maxDimensions} of {@code dimensions} is tested against the rest of the cohort on each of {@code
 * metrics} (empty: the task's defaults), with the false discovery rate held at {@code q} by
 * Benjamini–Hochberg. Slices and their rest need {@code minSupport} labelled rows; at most {@code
 * maxValues} values per dimension and cohort are kept.
 *
 * @param table the Iceberg table of discovered slices
 * @param topic the Kafka topic of discovered slices
 */
public record DiscoverySpec(
        boolean enabled,
        List<String> dimensions,
        int maxDimensions,
        double q,
        long minSupport,
        int maxValues,
        List<String> metrics,
        String table,
        String topic)
        implements Serializable {

    public static final int DEFAULT_MAX_DIMENSIONS = SpecDefaults.DISCOVERY_MAX_DIMENSIONS;
    public static final double DEFAULT_Q = SpecDefaults.DISCOVERY_Q;
    public static final long DEFAULT_MIN_SUPPORT = SpecDefaults.DISCOVERY_MIN_SUPPORT;
    public static final int DEFAULT_MAX_VALUES = SpecDefaults.DISCOVERY_MAX_VALUES;

    /** The metrics a discovery section may name. */
    public static final List<String> METRICS =
            List.of("error-rate", "auc", "squared-error", "absolute-error");

    /** What a metrics section without {@code discovery} gets. */
    public static final DiscoverySpec DISABLED =
            new DiscoverySpec(false, List.of(), 0, 0, 0, 0, List.of(), null, null);

    public DiscoverySpec {
        dimensions = Collections2.list(dimensions);
        metrics = Collections2.list(metrics);
    }

    /** {@code <app>_discovered_slices}, the application name reduced as for the other tables. */
    public static String defaultTable(String application) {
        return TableNames.sanitize(application) + "_discovered_slices";
    }

    /** {@code hindsight.<application>.discovered-slices}, beside the other topics. */
    public static String defaultTopic(String application) {
        return "hindsight." + application + ".discovered-slices";
    }

    /** The section with these settings and the default names for the application. */
    public static DiscoverySpec of(
            String application,
            List<String> dimensions,
            int maxDimensions,
            double q,
            long minSupport,
            int maxValues,
            List<String> metrics) {
        return new DiscoverySpec(
                true,
                dimensions,
                maxDimensions,
                q,
                minSupport,
                maxValues,
                metrics,
                defaultTable(application),
                defaultTopic(application));
    }
}
