package io.hindsight.bench.alternatives;

import io.hindsight.schemas.Feedback;

/** Feedback that arrived before its prediction, as a POJO in the straightforward join's state. */
public class FeedbackPojo {
    public String feedbackId;
    public long eventTime;
    public Double label;

    public FeedbackPojo() {}

    public static FeedbackPojo of(Feedback f) {
        FeedbackPojo pojo = new FeedbackPojo();
        pojo.feedbackId = f.getFeedbackId();
        pojo.eventTime = f.getEventTime().toEpochMilli();
        pojo.label = f.getLabel();
        return pojo;
    }
}
