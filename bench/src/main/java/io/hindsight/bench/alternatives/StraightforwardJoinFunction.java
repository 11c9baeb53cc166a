package io.hindsight.bench.alternatives;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The join a team would write first: the prediction as a POJO in a {@code ValueState}, one
 * event-time timer per prediction at the end of its label window, the outcome emitted as soon as
 * the feedback arrives. Feedback that comes before its prediction waits in a second POJO state for
 * an hour. The benchmark's baseline (d), not used by Hindsight.
 */
public class StraightforwardJoinFunction
        extends KeyedCoProcessFunction<String, Prediction, Feedback, Outcome> {

    private static final long serialVersionUID = 1L;
    static final long LABEL_WINDOW_MS = Duration.ofDays(60).toMillis();
    static final long EARLY_HOLD_MS = Duration.ofHours(1).toMillis();

    static final ValueStateDescriptor<PredictionPojo> PREDICTION =
            new ValueStateDescriptor<>(
                    "straightforward-prediction", TypeInformation.of(PredictionPojo.class));
    static final ValueStateDescriptor<FeedbackPojo> EARLY_FEEDBACK =
            new ValueStateDescriptor<>(
                    "straightforward-early-feedback", TypeInformation.of(FeedbackPojo.class));

    private transient ValueState<PredictionPojo> prediction;
    private transient ValueState<FeedbackPojo> early;

    @Override
    public void open(OpenContext openContext) {
        prediction = getRuntimeContext().getState(PREDICTION);
        early = getRuntimeContext().getState(EARLY_FEEDBACK);
    }

    @Override
    public void processElement1(Prediction p, Context ctx, Collector<Outcome> out)
            throws Exception {
        PredictionPojo pojo = PredictionPojo.of(p);
        FeedbackPojo f = early.value();
        if (f != null) {
            early.clear();
            out.collect(outcome(pojo, f, f.eventTime));
            return;
        }
        prediction.update(pojo);
        ctx.timerService().registerEventTimeTimer(pojo.eventTime + LABEL_WINDOW_MS);
    }

    @Override
    public void processElement2(Feedback f, Context ctx, Collector<Outcome> out) throws Exception {
        PredictionPojo p = prediction.value();
        FeedbackPojo fb = FeedbackPojo.of(f);
        if (p == null) {
            early.update(fb);
            ctx.timerService().registerEventTimeTimer(fb.eventTime + EARLY_HOLD_MS);
            return;
        }
        if (fb.eventTime <= p.eventTime + LABEL_WINDOW_MS) {
            prediction.clear();
            out.collect(outcome(p, fb, fb.eventTime));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Outcome> out)
            throws Exception {
        PredictionPojo p = prediction.value();
        if (p != null && timestamp >= p.eventTime + LABEL_WINDOW_MS) {
            prediction.clear();
            out.collect(outcome(p, null, timestamp));
        }
        FeedbackPojo f = early.value();
        if (f != null && timestamp >= f.eventTime + EARLY_HOLD_MS) {
            early.clear();
        }
    }

    static Outcome outcome(PredictionPojo p, FeedbackPojo f, long resolvedAt) {
        return Outcome.newBuilder()
                .setApplication(p.application)
                .setPredictionId(p.predictionId)
                .setPredictionTime(Instant.ofEpochMilli(p.eventTime))
                .setModelName(p.modelName)
                .setModelVersion(p.modelVersion)
                .setScore(p.score)
                .setNumericFeatures(p.numericFeatures)
                .setCategoricalFeatures(p.categoricalFeatures)
                .setTags(p.tags)
                .setStatus(f == null ? OutcomeStatus.EXPIRED : OutcomeStatus.LABELED)
                .setPolicy("first")
                .setRevision(1)
                .setIsFinal(true)
                .setFeedbackCount(f == null ? 0 : 1)
                .setFeedbackId(f == null ? null : f.feedbackId)
                .setFeedbackTime(f == null ? null : Instant.ofEpochMilli(f.eventTime))
                .setLabel(f == null ? null : f.label)
                .setLabelDelayMs(f == null ? null : f.eventTime - p.eventTime)
                .setResolvedTime(Instant.ofEpochMilli(Math.max(resolvedAt, p.eventTime)))
                .build();
    }
}
