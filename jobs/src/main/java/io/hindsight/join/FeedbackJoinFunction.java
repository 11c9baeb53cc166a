package io.hindsight.join;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.FeedbackBinary;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.schemas.UnmatchedKind;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The feedback join: each prediction waits in keyed state for its feedback for the label window, in
 * event time, and leaves exactly one final outcome row.
 *
 * <p>Keyed by join key (one job per application, so the key (application, join key) reduces to the
 * join key). Whether feedback is joinable, too early, late or beyond the retention is decided by
 * its time against the prediction's ({@link Verdict}), whichever of the two arrived first; joinable
 * feedback is applied in event-time order when the watermark passes it. So the rows are independent
 * of arrival order and timer order, and replayable (rules table: join/README.md, "The join's
 * rules"). Timers, per key:
 *
 * <ul>
 *   <li>at a feedback's event time: apply the held feedback that is now due;
 *   <li>at a feedback's event time + early-feedback hold, if no prediction is there: it is orphan;
 *   <li>at the prediction's deadline (event time + label window): emit the final row, report held
 *       feedback beyond deadline + retention as orphan, and close the entry;
 *   <li>at deadline + late-feedback retention: forget the closed entry, or the entry resolved early
 *       under policy {@code first}, whose deadline timer was dropped when it resolved.
 * </ul>
 *
 * <p>Main output: outcome rows. Side outputs: every prediction read ({@link #PREDICTIONS}, with
 * duplicates flagged) and feedback that did not become part of a final outcome ({@link
 * #UNMATCHED}).
 */
public class FeedbackJoinFunction
        extends KeyedCoProcessFunction<String, Prediction, Feedback, Outcome>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** The per-key state: one {@link JoinState} as bytes. Name shared with state-migrations. */
    public static final ValueStateDescriptor<byte[]> STATE =
            new ValueStateDescriptor<>(
                    "feedback-join-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Operator state: this subtask's share of the predictions-waiting gauge. */
    public static final ListStateDescriptor<Long> WAITING_COUNT =
            new ListStateDescriptor<>("feedback-join-waiting", Types.LONG);

    public static final OutputTag<Prediction> PREDICTIONS =
            new OutputTag<>("predictions", FieldByFieldTypeInfo.PREDICTIONS);
    public static final OutputTag<UnmatchedFeedback> UNMATCHED =
            new OutputTag<>("unmatched-feedback", new AvroTypeInfo<>(UnmatchedFeedback.class));

    private final JoinRules rules;

    private transient ValueState<byte[]> state;
    private transient ListState<Long> waitingState;
    private transient long waiting;
    private transient DataOutputSerializer buffer;
    private transient PredictionPayload predictionPayload;
    private transient FeedbackBinary feedbackBytes;
    private transient JoinMetrics metrics;
    private transient JoinRows rows;

    /**
     * Set by {@link FeedbackJoinOperator} while it hands over feedback whose event time the
     * watermark is passing (every timer of an earlier time has fired): joinable feedback is then
     * applied at once instead of being held in state behind a timer at its own time.
     */
    transient boolean due;

    /**
     * Counts one feedback event in {@code feedbackIn} as it arrives at {@link
     * FeedbackJoinOperator}, which queues it: the counter counts what the join has read, not what
     * it has judged yet.
     */
    void countArrivingFeedback() {
        metrics.feedback.inc();
    }

    /** Stands for a cleared entry among the {@link #written} ones. */
    private static final JoinState DELETED = new JoinState();

    /**
     * Entries written since the last checkpoint barrier, by key, or null when every write goes to
     * the state at once ({@link #keepWritesUntilBarrier}).
     */
    private transient Map<Object, JoinState> written;

    private transient int writtenCapacity;
    private transient KeyContext keys;
    private transient InternalTimerService<VoidNamespace> timers;

    /**
     * The earliest deadline among the kept entries whose deadline timer is deferred: the entries
     * are written out, and those timers registered, before any watermark reaches it.
     */
    private transient long earliestDeferredDeadline;

    /**
     * Where the timer that forgets a resolved entry goes. Set by {@link FeedbackJoinOperator} to
     * its own timer service, whose timers clear the entry without reading it; null when the
     * function runs alone, which then forgets through its own timers (onTimer reads the entry).
     */
    transient TombstoneTimers tombstones;

    /**
     * Timers that forget a resolved entry at deadline + retention by clearing it unread. They are
     * registered only when feedback handed over by the operator's queue resolves an entry that then
     * holds no feedback (policy first), and such an entry stays so until that time: feedback that
     * arrives meanwhile is extra, late or a duplicate (its id is added, nothing is held) except
     * feedback stamped after deadline + retention, which is held until then; for that one the
     * entry's timer is moved back to the function's own timers ({@link #processElement2}).
     */
    interface TombstoneTimers {
        void register(long time);

        void delete(long time);
    }

    /** The late-feedback retention these rules keep a resolved entry for, in ms. */
    long lateFeedbackRetentionMs() {
        return rules.lateFeedbackRetentionMs();
    }

    /**
     * A {@link TombstoneTimers} timer has fired for the current key: forgets its entry, unread when
     * the timer was registered under the retention in force. Registered under another one (a
     * restored job with a changed retention), the entry is read and forgotten at its deadline plus
     * the current retention, as the function's own timers would.
     */
    void forget(long timestamp, long registeredRetentionMs) throws Exception {
        if (registeredRetentionMs == rules.lateFeedbackRetentionMs()) {
            clear();
            return;
        }
        JoinState s = load();
        if (s == null) {
            return;
        }
        long forgetAt = deadline(s) + rules.lateFeedbackRetentionMs();
        if (timestamp >= forgetAt) {
            clear();
        } else {
            tombstones.register(forgetAt);
        }
    }

    public FeedbackJoinFunction(JoinRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(STATE);
        buffer = new DataOutputSerializer(512);
        predictionPayload = new PredictionPayload(rules.application());
        feedbackBytes = new FeedbackBinary();
        metrics = new JoinMetrics(getRuntimeContext().getMetricGroup(), () -> waiting);
        rows = new JoinRows(rules.policy());
    }

    @Override
    public void processElement1(Prediction prediction, Context ctx, Collector<Outcome> out)
            throws Exception {
        metrics.predictions.inc();
        JoinState s = load();
        if (s != null
                && (s.flags & (JoinState.HAS_PREDICTION | JoinState.RESOLVED | JoinState.CLOSED))
                        != 0) {
            metrics.duplicatePredictions.inc();
            prediction.setDuplicate(true);
            ctx.output(PREDICTIONS, prediction);
            return;
        }
        if (s == null) {
            s = new JoinState();
        }
        prediction.setDuplicate(false);
        ctx.output(PREDICTIONS, prediction);

        long time = prediction.getEventTime().toEpochMilli();
        s.flags |= JoinState.HAS_PREDICTION;
        s.predictionTime = time;
        s.deadline = time + rules.labelWindowMs();
        s.prediction = predictionPayload.encode(prediction, ctx.getCurrentKey(), time);
        waiting++;
        if (written != null) {
            // Registered when the entry is written out (flushWritten): a prediction labelled
            // before then never registers, nor deletes, its deadline timer.
            s.deadlineTimerDeferred = true;
            earliestDeferredDeadline = Math.min(earliestDeferredDeadline, deadline(s));
        } else {
            ctx.timerService().registerEventTimeTimer(deadline(s));
        }
        // Feedback that came first is judged by its own time against this prediction's, exactly as
        // if it had come after it; what is joinable is applied at the next watermark, in
        // event-time order.
        for (Iterator<JoinState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            JoinState.Pending p = it.next();
            Verdict verdict = verdict(s, p.time());
            if (verdict == Verdict.JOINABLE) {
                ctx.timerService().registerEventTimeTimer(p.time());
            } else if (verdict != Verdict.ORPHAN_AFTER_RETENTION) {
                it.remove();
                judged(ctx, feedbackBytes.decode(p.feedback()), verdict, s);
            }
        }
        save(s);
    }

    @Override
    public void processElement2(Feedback feedback, Context ctx, Collector<Outcome> out)
            throws Exception {
        if (!due) {
            // Feedback from FeedbackJoinOperator's queue was counted when it arrived there.
            metrics.feedback.inc();
        }
        JoinState s = load();
        if (s == null) {
            s = new JoinState();
        }
        long idHash = idHash(feedback.getFeedbackId());
        if (s.seen(idHash)) {
            metrics.duplicateFeedback.inc();
            unmatched(
                    ctx,
                    feedback,
                    UnmatchedKind.DUPLICATE,
                    s,
                    "feedback id '"
                            + feedback.getFeedbackId()
                            + "' was already received; the re-sent copy is ignored",
                    feedback.getEventTime().toEpochMilli());
            return;
        }
        s.markSeen(idHash);
        long time = feedback.getEventTime().toEpochMilli();

        if (!s.hasPredictionTime()) {
            // No prediction yet: held, joined if one comes in time, orphan after the hold.
            s.pending.add(new JoinState.Pending(time, feedbackBytes.encode(feedback)));
            ctx.timerService().registerEventTimeTimer(time);
            ctx.timerService().registerEventTimeTimer(time + rules.earlyFeedbackHoldMs());
            save(s);
            return;
        }
        Verdict verdict = verdict(s, time);
        if (verdict == Verdict.JOINABLE) {
            if (s.has(JoinState.CLOSED)) {
                // Stamped inside the window but arrived after the watermark passed the deadline:
                // the final row is out. The one decision that depends on arrival, and only for
                // input behind the watermark (see join/README.md, "The join's rules").
                late(ctx, feedback, s);
            } else if (s.has(JoinState.RESOLVED)) {
                extra(ctx, feedback, s);
            } else if (due && time < deadline(s) && heldAllAfter(s, time)) {
                // What the timer at this feedback's time would do (onTimer): nothing held comes
                // before it, and the deadline's own timer still lies ahead.
                apply(s, feedback, ctx, out);
                if (s.has(JoinState.RESOLVED) && s.pending.isEmpty()) {
                    deleteDeadlineTimer(s, ctx);
                    forgetAt(ctx, deadline(s) + rules.lateFeedbackRetentionMs());
                }
            } else {
                s.pending.add(new JoinState.Pending(time, feedbackBytes.encode(feedback)));
                ctx.timerService().registerEventTimeTimer(time);
            }
        } else if (verdict == Verdict.ORPHAN_AFTER_RETENTION && !s.has(JoinState.CLOSED)) {
            // Decided when the window closes, which also keeps this feedback's id for as long as
            // a re-sent copy can arrive (see close()).
            if (tombstones != null && s.has(JoinState.RESOLVED) && s.pending.isEmpty()) {
                // The entry's forget timer would clear it unread: the held feedback needs onTimer.
                long forgetAt = deadline(s) + rules.lateFeedbackRetentionMs();
                tombstones.delete(forgetAt);
                ctx.timerService().registerEventTimeTimer(forgetAt);
            }
            s.pending.add(new JoinState.Pending(time, feedbackBytes.encode(feedback)));
        } else {
            judged(ctx, feedback, verdict, s);
        }
        save(s);
    }

    /** Drops the entry's deadline timer, or its deferred registration. */
    private void deleteDeadlineTimer(JoinState s, Context ctx) {
        if (s.deadlineTimerDeferred) {
            s.deadlineTimerDeferred = false;
        } else {
            ctx.timerService().deleteEventTimeTimer(deadline(s));
        }
    }

    /** The timer that forgets a resolved entry with nothing held ({@link TombstoneTimers}). */
    private void forgetAt(Context ctx, long time) {
        if (tombstones != null) {
            tombstones.register(time);
        } else {
            ctx.timerService().registerEventTimeTimer(time);
        }
    }

    /** Whether every feedback held for the key is stamped after {@code time}. */
    private static boolean heldAllAfter(JoinState s, long time) {
        for (JoinState.Pending p : s.pending) {
            if (p.time() <= time) {
                return false;
            }
        }
        return true;
    }

    /** How feedback relates to a known prediction, by the two event times alone. */
    enum Verdict {
        /** Stamped more than the early-feedback hold before the prediction: orphan. */
        ORPHAN_BEFORE_HOLD,
        /** From the hold before the prediction to the deadline, both inclusive: joinable. */
        JOINABLE,
        /** After the deadline, up to the late-feedback retention after it (inclusive): late. */
        LATE,
        /** After deadline + retention, when the prediction is forgotten: orphan. */
        ORPHAN_AFTER_RETENTION
    }

    private Verdict verdict(JoinState s, long feedbackTime) {
        if (feedbackTime < s.predictionTime - rules.earlyFeedbackHoldMs()) {
            return Verdict.ORPHAN_BEFORE_HOLD;
        }
        long deadline = deadline(s);
        if (feedbackTime <= deadline) {
            return Verdict.JOINABLE;
        }
        return feedbackTime <= deadline + rules.lateFeedbackRetentionMs()
                ? Verdict.LATE
                : Verdict.ORPHAN_AFTER_RETENTION;
    }

    /**
     * Emits the row a non-joinable verdict calls for; a tombstone lives as long as its ids must.
     */
    private void judged(Context ctx, Feedback f, Verdict verdict, JoinState s) {
        switch (verdict) {
            case LATE -> late(ctx, f, s);
            case ORPHAN_BEFORE_HOLD, ORPHAN_AFTER_RETENTION -> {
                orphan(ctx, f);
                long keepUntil = f.getEventTime().toEpochMilli() + rules.earlyFeedbackHoldMs();
                if (s.has(JoinState.CLOSED) && keepUntil > s.closeUntil) {
                    // A copy of this feedback may still arrive until the watermark passes its
                    // time: keep the ids until its orphan time, as for feedback on an unknown key.
                    s.closeUntil = keepUntil;
                    ctx.timerService().registerEventTimeTimer(keepUntil);
                }
            }
            case JOINABLE -> throw new IllegalStateException("joinable feedback is not judged");
        }
    }

    private void orphan(Context ctx, Feedback f) {
        metrics.orphan.inc();
        unmatched(
                ctx,
                f,
                UnmatchedKind.ORPHAN,
                null,
                "no prediction with id '"
                        + f.getPredictionId()
                        + "' arrived within the early-feedback hold of "
                        + rules.earlyFeedbackHoldMs()
                        + " ms after the feedback's event time",
                f.getEventTime().toEpochMilli() + rules.earlyFeedbackHoldMs());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Outcome> out)
            throws Exception {
        JoinState s = kept();
        if (s == DELETED) {
            return;
        }
        if (s == null) {
            byte[] bytes = state.value();
            if (bytes == null) {
                return;
            }
            // The last timer of every key: forget the tombstone without decoding it.
            if (JoinState.expiredTombstone(bytes, timestamp)) {
                clear();
                return;
            }
            s = JoinState.decode(bytes);
        }
        if (s.has(JoinState.CLOSED)) {
            if (timestamp >= s.closeUntil) {
                clear();
            }
            return;
        }
        if (s.has(JoinState.HAS_PREDICTION) || s.has(JoinState.RESOLVED)) {
            long deadline = deadline(s);
            long forgetAt = deadline + rules.lateFeedbackRetentionMs();
            if (s.has(JoinState.RESOLVED) && s.pending.isEmpty() && timestamp >= forgetAt) {
                // Resolved early and never closed (see below): its tombstone has lived long enough.
                clear();
                return;
            }
            boolean wasResolved = s.has(JoinState.RESOLVED);
            for (Feedback f : takePending(s, Math.min(timestamp, deadline))) {
                apply(s, f, ctx, out);
            }
            if (timestamp >= deadline) {
                close(s, ctx, out);
            } else if (!wasResolved && s.has(JoinState.RESOLVED) && s.pending.isEmpty()) {
                // Final under policy 'first' with no feedback held: the deadline has nothing left
                // to do, so its timer is replaced by the one that forgets the entry. The entry
                // stays RESOLVED until then, and feedback that arrives meanwhile is EXTRA or LATE
                // by its own event time, as for any resolved entry. This saves a state read and
                // write and a timer callback per labelled prediction.
                // The function's own timer, not a TombstoneTimers one: registered while timers
                // fire, it must fire in the same watermark advance, and only its own service
                // guarantees that (timer services are advanced one after the other).
                deleteDeadlineTimer(s, ctx);
                ctx.timerService().registerEventTimeTimer(forgetAt);
            }
            save(s);
            return;
        }
        // Feedback without a prediction: orphan once its hold time has passed.
        for (Iterator<JoinState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            JoinState.Pending p = it.next();
            if (p.time() + rules.earlyFeedbackHoldMs() <= timestamp) {
                it.remove();
                orphan(ctx, feedbackBytes.decode(p.feedback()));
            }
        }
        if (s.pending.isEmpty()) {
            clear();
        } else {
            // The hold may have changed since these timers were registered (a new job version):
            // make sure the next orphan check has a timer.
            long next = Long.MAX_VALUE;
            for (JoinState.Pending p : s.pending) {
                next = Math.min(next, p.time() + rules.earlyFeedbackHoldMs());
            }
            ctx.timerService().registerEventTimeTimer(Math.max(next, timestamp + 1));
            save(s);
        }
    }

    /**
     * Applies one feedback event to a prediction, under the policy, in event-time order. A row it
     * emits is decided at the later of the feedback's and the prediction's event time.
     */
    private void apply(JoinState s, Feedback f, Context ctx, Collector<Outcome> out) {
        if (s.has(JoinState.RESOLVED)) {
            extra(ctx, f, s);
            return;
        }
        long time = f.getEventTime().toEpochMilli();
        long now = Math.max(time, s.predictionTime);
        s.applied++;
        if (s.firstFeedbackTime == Long.MIN_VALUE) {
            s.firstFeedbackTime = time;
        }
        Double label = f.getLabel();
        if (label != null) {
            s.labelSum += label;
            s.labelCount++;
        }
        FeedbackPolicy policy = rules.policy();
        switch (policy) {
            case FIRST -> {
                Prediction p = prediction(s, ctx);
                out.collect(rows.outcome(p, f, OutcomeStatus.LABELED, 1, true, 1, label, now, s));
                metrics.labeled.inc();
                waiting--;
                s.flags |= JoinState.RESOLVED;
                s.prediction = null;
            }
            case ALL -> {
                Prediction p = prediction(s, ctx);
                s.revision++;
                out.collect(
                        rows.outcome(
                                p, f, OutcomeStatus.LABELED, s.revision, true, 1, label, now, s));
                metrics.labeled.inc();
            }
            case LAST -> {
                s.chosen = feedbackBytes.encode(f);
                provisional(s, f, label, now, ctx, out);
            }
            case MAX, MIN -> {
                boolean better =
                        label != null
                                && (s.chosen == null
                                        || (policy == FeedbackPolicy.MAX
                                                ? label > s.best
                                                : label < s.best));
                if (better) {
                    s.best = label;
                    s.chosen = feedbackBytes.encode(f);
                }
                if (s.chosen != null) {
                    provisional(s, feedbackBytes.decode(s.chosen), s.best, now, ctx, out);
                }
            }
            case SUM, MEAN, COUNT -> {
                s.chosen = feedbackBytes.encode(f);
                provisional(s, f, aggregate(s), now, ctx, out);
            }
        }
    }

    private void provisional(
            JoinState s, Feedback f, Double label, long now, Context ctx, Collector<Outcome> out) {
        Prediction p = prediction(s, ctx);
        s.revision++;
        out.collect(
                rows.outcome(
                        p, f, OutcomeStatus.LABELED, s.revision, false, s.applied, label, now, s));
    }

    /** The label window has ended: emit the final row where one is due and keep a tombstone. */
    private void close(JoinState s, Context ctx, Collector<Outcome> out) {
        long now = deadline(s);
        if (s.waiting()) {
            Prediction p = prediction(s, ctx);
            FeedbackPolicy policy = rules.policy();
            if (s.applied == 0) {
                out.collect(rows.outcome(p, null, OutcomeStatus.EXPIRED, 1, true, 0, null, now, s));
                metrics.expired.inc();
            } else if (policy != FeedbackPolicy.ALL) {
                Feedback chosen = s.chosen == null ? null : feedbackBytes.decode(s.chosen);
                Double label =
                        switch (policy) {
                            case LAST -> chosen == null ? null : chosen.getLabel();
                            // No labelled feedback at all: no extreme, and no 0 from the field's
                            // initial value.
                            case MAX, MIN -> s.chosen == null ? null : s.best;
                            default -> aggregate(s);
                        };
                out.collect(
                        rows.outcome(
                                p,
                                chosen,
                                OutcomeStatus.LABELED,
                                s.revision + 1,
                                true,
                                s.applied,
                                label,
                                now,
                                s));
                metrics.labeled.inc();
            }
            waiting--;
        }
        s.prediction = null;
        s.chosen = null;
        s.flags = JoinState.CLOSED;
        s.closeUntil = deadline(s) + rules.lateFeedbackRetentionMs();
        ctx.timerService().registerEventTimeTimer(s.closeUntil);
        // Held feedback stamped after deadline + retention: everything joinable was applied
        // before close() was called (takePending up to the deadline).
        List<JoinState.Pending> held = new ArrayList<>(s.pending);
        s.pending.clear();
        for (JoinState.Pending p : held) {
            Feedback f = feedbackBytes.decode(p.feedback());
            judged(ctx, f, verdict(s, p.time()), s);
        }
    }

    private Double aggregate(JoinState s) {
        return switch (rules.policy()) {
            case COUNT -> (double) s.applied;
            case SUM -> s.labelSum;
            case MEAN -> s.labelCount == 0 ? null : s.labelSum / s.labelCount;
            default -> throw new IllegalStateException("not an aggregate: " + rules.policy());
        };
    }

    /**
     * Removes and decodes the held feedback with event time at or before {@code upTo}, in order.
     */
    private List<Feedback> takePending(JoinState s, long upTo) {
        List<Feedback> due = new ArrayList<>();
        for (Iterator<JoinState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            JoinState.Pending p = it.next();
            if (p.time() <= upTo) {
                due.add(feedbackBytes.decode(p.feedback()));
                it.remove();
            }
        }
        due.sort(
                Comparator.comparing((Feedback f) -> f.getEventTime())
                        .thenComparing(Feedback::getFeedbackId));
        return due;
    }

    /** Reported at the later of the feedback's time and the end of the window. */
    private void late(Context ctx, Feedback f, JoinState s) {
        metrics.late.inc();
        unmatched(
                ctx,
                f,
                UnmatchedKind.LATE,
                s,
                "the label window of prediction '"
                        + f.getPredictionId()
                        + "' ended at "
                        + Instant.ofEpochMilli(deadline(s))
                        + " before this feedback was joined",
                Math.max(f.getEventTime().toEpochMilli(), deadline(s)));
    }

    private void extra(Context ctx, Feedback f, JoinState s) {
        metrics.extra.inc();
        unmatched(
                ctx,
                f,
                UnmatchedKind.EXTRA,
                s,
                "prediction '"
                        + f.getPredictionId()
                        + "' was already final under feedback policy 'first'",
                f.getEventTime().toEpochMilli());
    }

    private void unmatched(
            Context ctx,
            Feedback f,
            UnmatchedKind kind,
            JoinState s,
            String reason,
            long resolvedAt) {
        ctx.output(UNMATCHED, rows.unmatched(f, kind, s, reason, resolvedAt));
    }

    /** The waiting prediction, its key, application and time put back (see JoinState's layout). */
    private Prediction prediction(JoinState s, Context ctx) {
        return predictionPayload.decode(s.prediction, ctx.getCurrentKey(), s.predictionTime);
    }

    /** The prediction's own deadline, fixed when it was admitted (see {@link JoinState}). */
    private static long deadline(JoinState s) {
        return s.deadline;
    }

    /** The current key's kept entry, {@link #DELETED}, or null if none is kept. */
    private JoinState kept() {
        return written == null ? null : written.get(keys.getCurrentKey());
    }

    private JoinState load() throws Exception {
        JoinState s = kept();
        if (s != null) {
            return s == DELETED ? null : s;
        }
        byte[] bytes = state.value();
        return bytes == null ? null : JoinState.decode(bytes);
    }

    private void save(JoinState s) throws Exception {
        if (written != null) {
            keep(s);
        } else {
            state.update(s.encode(buffer));
        }
    }

    private void clear() throws Exception {
        if (written != null) {
            keep(DELETED);
        } else {
            state.clear();
        }
    }

    private void keep(JoinState s) throws Exception {
        written.put(keys.getCurrentKey(), s);
        if (written.size() >= writtenCapacity) {
            flushWritten();
        }
    }

    /**
     * Keeps every entry this function writes in memory, as an object, until the next checkpoint
     * barrier ({@link #flushWritten}): FeedbackJoinOperator's choice, in streaming execution. An
     * entry written and read again before the barrier (a prediction and its feedback, a resolved
     * entry and the timer that forgets it) then costs no RocksDB read, write or encoding between
     * the two; what reaches RocksDB is the entry as it is at the barrier, so every checkpoint holds
     * exactly the state it would hold without this. At most {@code capacity} entries are kept;
     * reaching it writes them all.
     */
    void keepWritesUntilBarrier(
            KeyContext keys, InternalTimerService<VoidNamespace> timers, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.keys = keys;
        this.timers = timers;
        this.writtenCapacity = capacity;
        this.written = new HashMap<>();
        // Set here: a transient field's initializer does not run when Flink deserializes the
        // function on the TaskManager.
        this.earliestDeferredDeadline = Long.MAX_VALUE;
    }

    /** Writes the entries kept since the last barrier to the state, the current key put back. */
    void flushWritten() throws Exception {
        if (written == null || written.isEmpty()) {
            return;
        }
        Object current = keys.getCurrentKey();
        for (Map.Entry<Object, JoinState> e : written.entrySet()) {
            keys.setCurrentKey(e.getKey());
            JoinState s = e.getValue();
            if (s == DELETED) {
                state.clear();
            } else {
                state.update(s.encode(buffer));
                if (s.deadlineTimerDeferred) {
                    s.deadlineTimerDeferred = false;
                    timers.registerEventTimeTimer(VoidNamespace.INSTANCE, deadline(s));
                }
            }
        }
        written.clear();
        earliestDeferredDeadline = Long.MAX_VALUE;
        if (current != null) {
            keys.setCurrentKey(current);
        }
    }

    /**
     * Called before the timers are advanced to {@code watermark}: writes the kept entries out if a
     * deferred deadline timer would fire by then, so that it fires in that advance, as if it had
     * been registered when its prediction came.
     */
    void beforeAdvancingTo(long watermark) throws Exception {
        if (watermark >= earliestDeferredDeadline) {
            flushWritten();
        }
    }

    /** Entries kept in memory now (for tests). */
    int keptWrites() {
        return written == null ? 0 : written.size();
    }

    /**
     * 64-bit FNV-1a of a feedback id: duplicates are recognised by this hash, so state keeps 8
     * bytes per feedback instead of the id. Ids are compared within one join key only, where a
     * collision among a handful of ids has probability around 2^-60.
     */
    static long idHash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingState.update(List.of(waiting));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Even-split list state: after rescaling the entries are redistributed, so one subtask's
        // value is no longer its own keys' count, but the sum over subtasks stays exact.
        waitingState = context.getOperatorStateStore().getListState(WAITING_COUNT);
        waiting = 0;
        for (Long w : waitingState.get()) {
            waiting += w;
        }
    }
}
