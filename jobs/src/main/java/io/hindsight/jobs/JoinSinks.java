package io.hindsight.jobs;

import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Where the feedback join's outputs go; production wiring is {@link TableAndTopicSinks}. */
public interface JoinSinks {

    /** Every prediction read, duplicates flagged, as it arrives. */
    void predictions(DataStream<Prediction> predictions);

    /** Outcome rows (labeled or expired, provisional or final). */
    void outcomes(DataStream<Outcome> outcomes);

    /** Feedback that is late, orphan, extra or duplicate. */
    void unmatched(DataStream<UnmatchedFeedback> unmatched);

    /** Input records that could not be decoded or mapped. */
    void deadLetters(DataStream<DeadLetter> deadLetters);
}
