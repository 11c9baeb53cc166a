package io.hindsight.jobs;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.SliceMetric;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where the monitoring outputs go (drift, slice metrics, discovered slices, alerts); production
 * wiring is {@link TableAndTopicSinks}.
 */
public interface MonitoringSinks {

    /** One row per feature and drift window. */
    void drift(DataStream<DriftResult> drift);

    /** One row per slice, cohort and revision. */
    void metrics(DataStream<SliceMetric> metrics);

    /** One row per discovered slice, metric and cohort revision. */
    void discoveredSlices(DataStream<DiscoveredSlice> slices);

    /** Alert state changes (firing, resolved). */
    void alerts(DataStream<Alert> alerts);
}
