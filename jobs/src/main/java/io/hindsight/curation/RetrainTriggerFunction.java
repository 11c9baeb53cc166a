package io.hindsight.curation;

import io.hindsight.spec.RetrainTriggerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The retraining triggers, keyed by trigger (and, for an alert trigger, the alert's subject): emits
 * one {@link RetrainEvent} per firing, with an id derived from what fired it, and remembers in
 * keyed state what already fired, so a restart from a checkpoint neither loses nor repeats an event
 * (the topic's transactional sink commits with the same checkpoint).
 *
 * <ul>
 *   <li>Alert trigger: the alert has been FIRING for {@code firing-for} of event time. Fires at
 *       {@code firing since + firing-for}, by an event-time timer or, when the RESOLVED change
 *       comes first but later than that (a drained BATCH run sees every change before any timer),
 *       from the RESOLVED itself: the same event either way. One event per firing episode.
 *   <li>Dataset trigger: the curated dataset has selected {@code labeled-rows} more labelled rows
 *       since the trigger last fired. Periods are counted in event-time order at the timer of their
 *       {@code readyAt} (all strata of a period are in by then), so the period that crosses the
 *       count, whose tag the event names, does not depend on arrival order.
 * </ul>
 */
public final class RetrainTriggerFunction
        extends KeyedProcessFunction<String, RetrainSignal, RetrainEvent> {

    private static final long serialVersionUID = 1L;

    /** Alert triggers: since when the subject fires (absent when it does not). */
    public static final ValueStateDescriptor<Long> FIRING_SINCE =
            new ValueStateDescriptor<>("retrain-firing-since", Types.LONG);

    /**
     * Alert triggers: the firing episode (its start) that already produced an event; dataset
     * triggers: the labelled rows counted since the last event.
     */
    public static final ValueStateDescriptor<Long> FIRED =
            new ValueStateDescriptor<>("retrain-fired", Types.LONG);

    /** Dataset triggers: labelled rows per closed period not yet counted, by period start. */
    public static final MapStateDescriptor<Long, RetrainSignal> PERIODS =
            new MapStateDescriptor<>("retrain-periods", Types.LONG, RetrainSignal.TYPE_INFO);

    private final String application;
    private final Map<String, RetrainTriggerSpec> triggers;

    /** Per trigger: the curated table it names ({@code namespace.table}), or absent. */
    private final Map<String, String> datasetTables;

    /** Per trigger: the rule it trains on, compiled (for the latest tag at a time). */
    private final Map<String, CurationRule> trainOn;

    private transient ValueState<Long> firingSince;
    private transient ValueState<Long> fired;
    private transient MapState<Long, RetrainSignal> periods;

    public RetrainTriggerFunction(
            String application,
            Map<String, RetrainTriggerSpec> triggers,
            Map<String, String> datasetTables,
            Map<String, CurationRule> trainOn) {
        this.application = application;
        this.triggers = Map.copyOf(triggers);
        this.datasetTables = Map.copyOf(datasetTables);
        this.trainOn = Map.copyOf(trainOn);
    }

    @Override
    public void open(OpenContext context) {
        firingSince = getRuntimeContext().getState(FIRING_SINCE);
        fired = getRuntimeContext().getState(FIRED);
        periods = getRuntimeContext().getMapState(PERIODS);
    }

    @Override
    public void processElement(RetrainSignal s, Context ctx, Collector<RetrainEvent> out)
            throws Exception {
        RetrainTriggerSpec t = triggers.get(s.trigger);
        if (t == null) {
            return; // routed only for triggers of the spec
        }
        if (!s.alert) {
            RetrainSignal known = periods.get(s.periodStart);
            if (known == null) {
                periods.put(s.periodStart, s);
                ctx.timerService().registerEventTimeTimer(s.readyAt);
            } else {
                known.labeledRows += s.labeledRows; // another stratum of the same period
                periods.put(s.periodStart, known);
            }
            return;
        }
        long forMs = t.firingFor().toMillis();
        Long since = firingSince.value();
        if (s.firing) {
            if (since == null) {
                firingSince.update(s.eventTime);
                ctx.timerService().registerEventTimeTimer(s.eventTime + forMs);
            }
            return;
        }
        if (since != null) {
            if (s.eventTime >= since + forMs) {
                fire(t, ctx.getCurrentKey(), since, s.subject, out);
            }
            ctx.timerService().deleteEventTimeTimer(since + forMs);
            firingSince.clear();
            fired.clear(); // the episode ended: its id can never come again
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RetrainEvent> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        int sep = key.indexOf('\u0000');
        RetrainTriggerSpec t = triggers.get(sep < 0 ? key : key.substring(0, sep));
        if (t == null) {
            return; // a trigger removed from the spec: its timers run out
        }
        if (t.onAlert()) {
            Long since = firingSince.value();
            if (since != null && since + t.firingFor().toMillis() == timestamp) {
                fire(t, key, since, key.substring(sep + 1), out);
            }
            return;
        }
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, RetrainSignal> e : periods.entries()) {
            if (e.getValue().readyAt <= timestamp) {
                due.add(e.getKey());
            }
        }
        due.sort(null);
        Long countedBefore = fired.value();
        long counted = countedBefore == null ? 0 : countedBefore;
        for (Long start : due) {
            RetrainSignal p = periods.get(start);
            periods.remove(start);
            counted += p.labeledRows;
            if (counted >= t.labeledRows()) {
                String reason =
                        String.format(
                                "curated dataset '%s' reached %d labelled rows since the last"
                                        + " retraining (at least %d asked), with version %s",
                                t.dataset(), counted, t.labeledRows(), p.tag);
                out.collect(
                        new RetrainEvent(
                                id(t.name(), p.tag),
                                application,
                                t.name(),
                                reason,
                                p.readyAt,
                                datasetTables.get(t.name()),
                                p.tag));
                counted = 0;
            }
        }
        fired.update(counted);
    }

    /** One event per firing episode, never twice for the same one. */
    private void fire(
            RetrainTriggerSpec t,
            String key,
            long since,
            String subject,
            Collector<RetrainEvent> out)
            throws Exception {
        Long done = fired.value();
        if (done != null && done == since) {
            return;
        }
        fired.update(since);
        long firedAt = since + t.firingFor().toMillis();
        CurationRule rule = trainOn.get(t.name());
        String tag = rule == null ? null : latestTag(rule, firedAt);
        String reason =
                String.format(
                        "alert '%s' on %s has been firing for %s (since %s)",
                        t.alert(),
                        subject,
                        human(t.firingFor()),
                        java.time.Instant.ofEpochMilli(since));
        out.collect(
                new RetrainEvent(
                        id(t.name(), subject + "\u0000" + since),
                        application,
                        t.name(),
                        reason,
                        firedAt,
                        rule == null ? null : datasetTables.get(t.name()),
                        tag));
    }

    /** The tag of the latest period of {@code rule} that had closed at {@code time}. */
    static String latestTag(CurationRule rule, long time) {
        long start = rule.periodStart(time - rule.waitMs) - rule.periodMs;
        while (rule.readyAt(start) > time) {
            start -= rule.periodMs;
        }
        return rule.tag(start);
    }

    private String id(String trigger, String occurrence) {
        return UUID.nameUUIDFromBytes(
                        (application + "\u0000" + trigger + "\u0000" + occurrence)
                                .getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
