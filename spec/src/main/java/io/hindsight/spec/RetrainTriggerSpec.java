package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * A retraining trigger. Either {@code alert} is set (the alert rule of that name has been FIRING
 * for {@code firingFor} of event time), or {@code dataset} is (the curation rule of that name has
 * selected {@code labeledRows} more labelled rows since the trigger last fired). {@code trainOn} is
 * the curation rule whose dataset the event names; it defaults to {@code dataset}, and is null for
 * an alert trigger without one.
 */
public record RetrainTriggerSpec(
        String name,
        String alert,
        Duration firingFor,
        String dataset,
        long labeledRows,
        String trainOn)
        implements Serializable {

    public boolean onAlert() {
        return alert != null;
    }
}
