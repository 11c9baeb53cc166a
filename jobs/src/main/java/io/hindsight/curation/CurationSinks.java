package io.hindsight.curation;

import io.hindsight.schemas.CuratedRecord;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where curation's outputs go; the production wiring is {@code
 * io.hindsight.jobs.TableAndTopicSinks}.
 */
public interface CurationSinks {

    /** The rows one rule selected, to its table {@code <app>_curated_<rule>}. */
    void curated(String rule, DataStream<CuratedRecord> rows);

    /** Closed periods, each to become a dataset version (a tag) once its rows are committed. */
    void datasetVersions(DataStream<CurationPeriod> periods);

    /** Retraining events, to the retrain topic. */
    void retrain(DataStream<RetrainEvent> events);
}
