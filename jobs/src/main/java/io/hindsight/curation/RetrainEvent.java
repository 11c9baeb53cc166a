package io.hindsight.curation;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One retraining event: which trigger fired, why, at which event time, and the dataset version to
 * train on. Published as JSON ({@link RetrainJson}); {@link #id} is a name-based UUID of the
 * application, the trigger and what fired it, so a replay publishes the same id.
 */
public final class RetrainEvent {

    public static final TypeInformation<RetrainEvent> TYPE_INFO =
            TypeInformation.of(RetrainEvent.class);

    public String id;
    public String application;
    public String trigger;
    public String reason;
    public long firedAt;

    /** The curated table and tag to train on; null when the trigger names no dataset. */
    public String datasetTable;

    public String datasetTag;

    public RetrainEvent() {}

    RetrainEvent(
            String id,
            String application,
            String trigger,
            String reason,
            long firedAt,
            String datasetTable,
            String datasetTag) {
        this.id = id;
        this.application = application;
        this.trigger = trigger;
        this.reason = reason;
        this.firedAt = firedAt;
        this.datasetTable = datasetTable;
        this.datasetTag = datasetTag;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrainEvent e
                && Objects.equals(id, e.id)
                && Objects.equals(application, e.application)
                && Objects.equals(trigger, e.trigger)
                && Objects.equals(reason, e.reason)
                && firedAt == e.firedAt
                && Objects.equals(datasetTable, e.datasetTable)
                && Objects.equals(datasetTag, e.datasetTag);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return trigger + "@" + firedAt + " (" + id + "): " + reason;
    }
}
