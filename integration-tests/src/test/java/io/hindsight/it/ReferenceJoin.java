package io.hindsight.it;

import io.hindsight.sim.SimulatedEvent;
import io.hindsight.sim.SimulatedEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;

/**
 * The expected result of the feedback join under policy {@code first} with end-of-input drain,
 * computed straight from the simulator's events and ground truth — written apart from Hindsight's
 * join code, with none of its state, timers or watermarks.
 *
 * <p>Rules: a prediction (its first copy; re-sends are duplicates) is {@code LABELED} by its
 * earliest feedback event by event time, ties broken by feedback id, among the distinct feedback
 * events (re-sends collapse) with event time at most prediction time + label window; otherwise it
 * is {@code EXPIRED}, decided at the end of its window. The label is 1 for {@code is_fraud}, else
 * 0; the delay is feedback time minus prediction time (negative for feedback stamped before its
 * payment). A row is decided at the later of the feedback's and the prediction's event time.
 */
final class ReferenceJoin {

    /** One expected final outcome row; null fields for an expired prediction. */
    record Expected(
            String predictionId,
            String status,
            Double label,
            String feedbackId,
            Long labelDelayMs,
            long resolvedTimeMs,
            int feedbackCount) {}

    private record Fb(String id, long time, boolean fraud) {}

    final Map<String, Expected> outcomes = new LinkedHashMap<>();

    /** Distinct valid prediction ids, in order of arrival. */
    final Set<String> predictionIds;

    /** Distinct feedback events that concern no prediction at all (the simulator's orphans). */
    final int orphanFeedback;

    /** Distinct feedback events beyond the first of a labeled prediction. */
    final int extraFeedback;

    /** Distinct feedback events stamped after their prediction's label window. */
    final int lateFeedback;

    /** Re-sent feedback records. */
    final int duplicateFeedback;

    ReferenceJoin(Iterable<SimulatedEvent> events, Duration labelWindow) {
        Map<String, Long> predictionTime = new LinkedHashMap<>();
        Map<String, List<Fb>> feedback = new HashMap<>();
        Set<String> feedbackIds = new TreeSet<>();
        int duplicates = 0;
        for (SimulatedEvent e : events) {
            if (e.kind() == Kind.PREDICTION) {
                GenericRecord request = (GenericRecord) e.record().get("request");
                String id = request.get("id").toString();
                predictionTime.putIfAbsent(id, (Long) request.get("ts"));
            } else if (e.kind() == Kind.FEEDBACK) {
                GenericRecord r = e.record();
                String id = r.get("chargeback_id").toString();
                if (!feedbackIds.add(id)) {
                    duplicates++;
                    continue;
                }
                feedback.computeIfAbsent(
                                r.get("payment_request_id").toString(), k -> new ArrayList<>())
                        .add(new Fb(id, (Long) r.get("reported_at"), (Boolean) r.get("is_fraud")));
            }
        }
        long window = labelWindow.toMillis();
        int extra = 0;
        int late = 0;
        for (Map.Entry<String, Long> p : predictionTime.entrySet()) {
            long tp = p.getValue();
            List<Fb> all = feedback.getOrDefault(p.getKey(), List.of());
            late += (int) all.stream().filter(f -> f.time() > tp + window).count();
            List<Fb> candidates =
                    all.stream()
                            .filter(f -> f.time() <= tp + window)
                            .sorted(Comparator.comparingLong(Fb::time).thenComparing(Fb::id))
                            .toList();
            if (candidates.isEmpty()) {
                outcomes.put(
                        p.getKey(),
                        new Expected(p.getKey(), "EXPIRED", null, null, null, tp + window, 0));
            } else {
                Fb first = candidates.get(0);
                extra += candidates.size() - 1;
                outcomes.put(
                        p.getKey(),
                        new Expected(
                                p.getKey(),
                                "LABELED",
                                first.fraud() ? 1.0 : 0.0,
                                first.id(),
                                first.time() - tp,
                                Math.max(first.time(), tp),
                                1));
            }
        }
        int orphans = 0;
        for (Map.Entry<String, List<Fb>> f : feedback.entrySet()) {
            if (!predictionTime.containsKey(f.getKey())) {
                orphans += f.getValue().size();
            }
        }
        this.predictionIds = predictionTime.keySet();
        this.orphanFeedback = orphans;
        this.extraFeedback = extra;
        this.lateFeedback = late;
        this.duplicateFeedback = duplicates;
    }
}
