package io.hindsight.jobs;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.SliceMetric;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where the monitoring outputs go (drift, slice metrics, alerts); production wiring is {@link
 * TableAndTopicSinks}.
 */
public interface MonitoringSinks {

    /** One row per feature and drift window. */
    void drift(DataStream<DriftResult> drift);

    /** One row per slice, cohort and revision. */
    void metrics(DataStream<SliceMetric> metrics);

    /** Alert state changes (firing, resolved). */
    void alerts(DataStream<Alert> alerts);
}
