package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random arrival orders and watermark progress of one key's events, checked against a plain
 * reference of the join's rules (a sort by time and a loop), for every policy.
 *
 * <p>Every interleaving honours the watermark contract of each input (a watermark W only once no
 * record stamped at or before W is still to come on that input); the two inputs' watermarks move
 * independently, so feedback often arrives before its prediction and timers fire in any order
 * relative to arrivals.
 */
class FeedbackJoinPropertyTest {

    static final long WINDOW = 10_000;
    static final long HOLD = 1_000;
    static final long RETENTION = 3_000;
    static final long TP = 100_000;
    static final int TRIALS = 400;

    /** Feedback times around every boundary of the rules, relative to the prediction. */
    static final long[] EDGES = {
        -HOLD - 1,
        -HOLD,
        -HOLD + 1,
        -1,
        0,
        1,
        WINDOW - 1,
        WINDOW,
        WINDOW + 1,
        WINDOW + RETENTION,
        WINDOW + RETENTION + 1
    };

    record Fb(String id, long time, Double label) {}

    @ParameterizedTest
    @EnumSource(FeedbackPolicy.class)
    void randomInterleavingsGiveTheReferenceRows(FeedbackPolicy policy) throws Exception {
        SplittableRandom random = new SplittableRandom(policy.ordinal() * 7919L + 1);
        for (int trial = 0; trial < TRIALS; trial++) {
            int predictionCopies = random.nextInt(10) < 2 ? 0 : 1 + random.nextInt(2);
            List<Fb> feedback = new ArrayList<>();
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                long offset =
                        random.nextBoolean()
                                ? EDGES[random.nextInt(EDGES.length)]
                                : random.nextLong(-3 * HOLD, WINDOW + RETENTION + 3 * HOLD);
                int l = random.nextInt(10);
                Double label = l == 0 ? null : l < 4 ? 0.0 : l < 8 ? 1.0 : 2.5;
                feedback.add(new Fb("f" + i, TP + offset, label));
            }
            List<Object> arrivals = new ArrayList<>();
            for (int c = 0; c < predictionCopies; c++) {
                arrivals.add(FeedbackJoinFunctionTest.prediction("p", TP, 0.7));
            }
            for (Fb f : feedback) {
                for (int c = random.nextInt(4) == 0 ? 2 : 1; c > 0; c--) {
                    arrivals.add(
                            FeedbackJoinFunctionTest.feedback(f.id(), "p", f.time(), f.label()));
                }
            }
            Collections.shuffle(arrivals, new java.util.Random(random.nextLong()));

            Observed got = run(policy, arrivals, random);
            Observed want = reference(policy, predictionCopies, feedback, arrivals);
            String context = "policy " + policy + ", trial " + trial + ", arrivals " + arrivals;
            assertThat(got.outcomes).as(context).containsExactlyInAnyOrderElementsOf(want.outcomes);
            assertThat(got.unmatched)
                    .as(context)
                    .containsExactlyInAnyOrderElementsOf(want.unmatched);
            assertThat(got.predictions)
                    .as(context)
                    .containsExactlyInAnyOrderElementsOf(want.predictions);
        }
    }

    record Observed(List<String> outcomes, List<String> unmatched, List<String> predictions) {}

    /** Feeds the arrivals through the operator, with random watermarks that honour the contract. */
    static Observed run(FeedbackPolicy policy, List<Object> arrivals, SplittableRandom random)
            throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new FeedbackJoinFunction(
                                        JoinRules.of(
                                                "fraud",
                                                Duration.ofMillis(WINDOW),
                                                Duration.ofMillis(HOLD),
                                                Duration.ofMillis(RETENTION),
                                                policy))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        try {
            h.setup();
            h.open();
            long wm1 = Long.MIN_VALUE;
            long wm2 = Long.MIN_VALUE;
            long end = TP + WINDOW + RETENTION + 5 * HOLD;
            for (int i = 0; i < arrivals.size(); i++) {
                // A watermark on an input may reach just below its earliest record still to come.
                long bound1 = end;
                long bound2 = end;
                for (Object later : arrivals.subList(i, arrivals.size())) {
                    if (later instanceof Prediction p) {
                        bound1 = Math.min(bound1, p.getEventTime().toEpochMilli() - 1);
                    } else {
                        bound2 =
                                Math.min(
                                        bound2,
                                        ((Feedback) later).getEventTime().toEpochMilli() - 1);
                    }
                }
                if (random.nextInt(3) == 0 && bound1 > wm1) {
                    wm1 = random.nextLong(Math.max(wm1, TP - 5 * HOLD), bound1 + 1);
                    h.processWatermark1(new Watermark(wm1));
                }
                if (random.nextInt(3) == 0 && bound2 > wm2) {
                    wm2 = random.nextLong(Math.max(wm2, TP - 5 * HOLD), bound2 + 1);
                    h.processWatermark2(new Watermark(wm2));
                }
                Object a = arrivals.get(i);
                if (a instanceof Prediction p) {
                    Prediction copy = Prediction.newBuilder(p).build();
                    h.processElement1(new StreamRecord<>(copy, p.getEventTime().toEpochMilli()));
                } else {
                    Feedback f = Feedback.newBuilder((Feedback) a).build();
                    h.processElement2(new StreamRecord<>(f, f.getEventTime().toEpochMilli()));
                }
            }
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            List<String> outcomes = h.extractOutputValues().stream().map(o -> outcome(o)).toList();
            var unmatchedQueue = h.getSideOutput(FeedbackJoinFunction.UNMATCHED);
            List<String> unmatched =
                    unmatchedQueue == null
                            ? List.of()
                            : unmatchedQueue.stream().map(r -> unmatched(r.getValue())).toList();
            var predictionQueue = h.getSideOutput(FeedbackJoinFunction.PREDICTIONS);
            List<String> predictions =
                    predictionQueue == null
                            ? List.of()
                            : predictionQueue.stream()
                                    .map(r -> "duplicate=" + r.getValue().getDuplicate())
                                    .toList();
            return new Observed(outcomes, unmatched, predictions);
        } finally {
            h.close();
        }
    }

    static String outcome(Outcome o) {
        return row(
                o.getStatus().name(),
                o.getRevision(),
                o.getIsFinal(),
                o.getFeedbackCount(),
                o.getFeedbackId(),
                o.getFeedbackTime() == null ? null : o.getFeedbackTime().toEpochMilli(),
                o.getLabel(),
                o.getLabelDelayMs(),
                o.getResolvedTime().toEpochMilli());
    }

    static String row(
            String status,
            int revision,
            boolean isFinal,
            int count,
            String feedbackId,
            Long feedbackTime,
            Double label,
            Long delay,
            long resolved) {
        return status
                + " rev="
                + revision
                + " final="
                + isFinal
                + " count="
                + count
                + " fb="
                + feedbackId
                + "@"
                + feedbackTime
                + " label="
                + label
                + " delay="
                + delay
                + " resolved="
                + resolved;
    }

    static String unmatched(UnmatchedFeedback u) {
        return unmatchedRow(
                u.getFeedbackId(),
                u.getKind().name(),
                u.getPredictionTime() == null ? null : u.getPredictionTime().toEpochMilli(),
                u.getResolvedTime().toEpochMilli());
    }

    static String unmatchedRow(String id, String kind, Long predictionTime, long resolved) {
        return id + " " + kind + " prediction=" + predictionTime + " resolved=" + resolved;
    }

    /**
     * The rules, straight from join/README.md ("The join's rules"): classify each distinct feedback
     * by its time against the prediction's, sort the joinable ones by (time, id), and fold them
     * under the policy.
     */
    static Observed reference(
            FeedbackPolicy policy, int predictionCopies, List<Fb> feedback, List<Object> arrivals) {
        List<String> predictions = new ArrayList<>();
        for (int c = 0; c < predictionCopies; c++) {
            predictions.add("duplicate=" + (c > 0));
        }
        List<String> unmatched = new ArrayList<>();
        Map<String, Integer> copies = new LinkedHashMap<>();
        for (Object a : arrivals) {
            if (a instanceof Feedback f) {
                copies.merge(f.getFeedbackId(), 1, Integer::sum);
            }
        }
        for (Fb f : feedback) {
            for (int c = 1; c < copies.get(f.id()); c++) {
                unmatched.add(unmatchedRow(f.id(), "DUPLICATE", null, f.time()));
            }
        }
        List<String> outcomes = new ArrayList<>();
        if (predictionCopies == 0) {
            for (Fb f : feedback) {
                unmatched.add(unmatchedRow(f.id(), "ORPHAN", null, f.time() + HOLD));
            }
            return new Observed(outcomes, unmatched, predictions);
        }
        long deadline = TP + WINDOW;
        List<Fb> joinable = new ArrayList<>();
        for (Fb f : feedback) {
            if (f.time() < TP - HOLD || f.time() > deadline + RETENTION) {
                unmatched.add(unmatchedRow(f.id(), "ORPHAN", null, f.time() + HOLD));
            } else if (f.time() > deadline) {
                unmatched.add(unmatchedRow(f.id(), "LATE", TP, f.time()));
            } else {
                joinable.add(f);
            }
        }
        joinable.sort(Comparator.comparingLong(Fb::time).thenComparing(Fb::id));
        if (joinable.isEmpty()) {
            outcomes.add(row("EXPIRED", 1, true, 0, null, null, null, null, deadline));
            return new Observed(outcomes, unmatched, predictions);
        }
        long delay = joinable.get(0).time() - TP;
        int revision = 0;
        Fb chosen = null;
        Double best = null;
        double sum = 0;
        int labels = 0;
        for (int i = 0; i < joinable.size(); i++) {
            Fb f = joinable.get(i);
            long at = Math.max(f.time(), TP);
            int count = i + 1;
            if (f.label() != null) {
                sum += f.label();
                labels++;
            }
            switch (policy) {
                case FIRST -> {
                    if (i == 0) {
                        outcomes.add(
                                row("LABELED", 1, true, 1, f.id(), f.time(), f.label(), delay, at));
                    } else {
                        unmatched.add(unmatchedRow(f.id(), "EXTRA", TP, f.time()));
                    }
                }
                case ALL ->
                        outcomes.add(
                                row(
                                        "LABELED",
                                        ++revision,
                                        true,
                                        1,
                                        f.id(),
                                        f.time(),
                                        f.label(),
                                        delay,
                                        at));
                case LAST -> {
                    chosen = f;
                    outcomes.add(
                            row(
                                    "LABELED",
                                    ++revision,
                                    false,
                                    count,
                                    f.id(),
                                    f.time(),
                                    f.label(),
                                    delay,
                                    at));
                }
                case MAX, MIN -> {
                    if (f.label() != null
                            && (best == null
                                    || (policy == FeedbackPolicy.MAX
                                            ? f.label() > best
                                            : f.label() < best))) {
                        best = f.label();
                        chosen = f;
                    }
                    if (chosen != null) {
                        outcomes.add(
                                row(
                                        "LABELED",
                                        ++revision,
                                        false,
                                        count,
                                        chosen.id(),
                                        chosen.time(),
                                        best,
                                        delay,
                                        at));
                    }
                }
                case SUM, MEAN, COUNT -> {
                    chosen = f;
                    outcomes.add(
                            row(
                                    "LABELED",
                                    ++revision,
                                    false,
                                    count,
                                    null,
                                    f.time(),
                                    aggregate(policy, sum, labels, count),
                                    delay,
                                    at));
                }
            }
        }
        int n = joinable.size();
        switch (policy) {
            case FIRST, ALL -> {}
            case LAST ->
                    outcomes.add(
                            row(
                                    "LABELED",
                                    revision + 1,
                                    true,
                                    n,
                                    chosen.id(),
                                    chosen.time(),
                                    chosen.label(),
                                    delay,
                                    deadline));
            case MAX, MIN ->
                    outcomes.add(
                            row(
                                    "LABELED",
                                    revision + 1,
                                    true,
                                    n,
                                    chosen == null ? null : chosen.id(),
                                    chosen == null ? null : chosen.time(),
                                    best,
                                    delay,
                                    deadline));
            case SUM, MEAN, COUNT ->
                    outcomes.add(
                            row(
                                    "LABELED",
                                    revision + 1,
                                    true,
                                    n,
                                    null,
                                    chosen.time(),
                                    aggregate(policy, sum, labels, n),
                                    delay,
                                    deadline));
        }
        return new Observed(outcomes, unmatched, predictions);
    }

    static Double aggregate(FeedbackPolicy policy, double sum, int labels, int count) {
        return switch (policy) {
            case SUM -> sum;
            case MEAN -> labels == 0 ? null : sum / labels;
            case COUNT -> (double) count;
            default -> throw new IllegalArgumentException(policy.name());
        };
    }
}
