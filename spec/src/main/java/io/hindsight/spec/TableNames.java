package io.hindsight.spec;

import java.io.Serializable;

/** The names of the application's Iceberg tables within the namespace. */
public record TableNames(
        String predictions,
        String outcomes,
        String unmatchedFeedback,
        String drift,
        String metrics,
        String alerts)
        implements Serializable {

    /** {@code <app>_predictions} etc., the application name reduced to {@code [a-z0-9_]}. */
    public static TableNames defaults(String application) {
        String prefix = sanitize(application);
        return new TableNames(
                prefix + "_predictions",
                prefix + "_outcomes",
                prefix + "_unmatched_feedback",
                prefix + "_drift",
                prefix + "_metrics",
                prefix + "_alerts");
    }

    static String sanitize(String application) {
        return application.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
