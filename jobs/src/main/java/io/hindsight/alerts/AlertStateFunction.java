package io.hindsight.alerts;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The state of each alert, keyed by (application, rule, subject): judges every observation against
 * its rule and emits an {@link Alert} only when the state changes — FIRING once when the condition
 * starts to hold, RESOLVED once when it stops (or when the subject has not been reported for the
 * rule's retention). The state follows the newest judged window; see the jobs README, "Alerts".
 */
public final class AlertStateFunction extends KeyedProcessFunction<String, RuleObservation, Alert> {

    private static final long serialVersionUID = 1L;

    /** Whether the subject fires, and the window it was judged on. */
    public static final ValueStateDescriptor<AlertSubjectState> SUBJECT =
            new ValueStateDescriptor<>(
                    "alert-subject", TypeInformation.of(AlertSubjectState.class));

    /** Drop rules: the latest revision of each recent window, by window start. */
    public static final MapStateDescriptor<Long, CohortValue> HISTORY =
            new MapStateDescriptor<>(
                    "alert-history", Types.LONG, TypeInformation.of(CohortValue.class));

    private final AlertRules rules;

    private transient ValueState<AlertSubjectState> subject;
    private transient MapState<Long, CohortValue> history;

    private transient Counter evaluated;
    private transient Counter superseded;
    private transient Counter belowMinSupport;
    private transient Counter withoutValue;
    private transient Counter withoutBaseline;
    private transient Counter fired;
    private transient Counter resolved;
    private transient Counter expired;

    AlertStateFunction(AlertRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext context) {
        subject = getRuntimeContext().getState(SUBJECT);
        history = getRuntimeContext().getMapState(HISTORY);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        evaluated = metrics.counter("alertRowsEvaluated");
        superseded = metrics.counter("alertRowsSuperseded");
        belowMinSupport = metrics.counter("alertRowsBelowMinSupport");
        withoutValue = metrics.counter("alertRowsWithoutValue");
        withoutBaseline = metrics.counter("alertRowsWithoutBaseline");
        fired = metrics.counter("alertsFired");
        resolved = metrics.counter("alertsResolved");
        expired = metrics.counter("alertsExpired");
    }

    @Override
    public void processElement(RuleObservation o, Context ctx, Collector<Alert> out)
            throws Exception {
        AlertRule rule = rules.rule(o.rule);
        AlertSubjectState stored = subject.value();
        AlertSubjectState s = stored == null ? new AlertSubjectState() : stored;
        long lastEventTime = Math.max(s.lastEventTime, o.eventTime);
        if (rule.isDrop()) {
            remember(rule, s, o, lastEventTime);
        }

        boolean judged = false;
        if (s.judged()
                && (o.windowStart < s.windowStart
                        || (o.windowStart == s.windowStart && o.revision < s.revision))) {
            // An older window, or an older revision of the judged one: never flips the state.
            superseded.inc();
        } else if (o.support < rule.minSupport) {
            belowMinSupport.inc();
        } else if (Double.isNaN(o.value) || (rule.requiresPValue() && Double.isNaN(o.pValue))) {
            withoutValue.inc();
        } else {
            double baseline = rule.isDrop() ? baseline(rule, o.windowStart) : Double.NaN;
            if (rule.isDrop() && Double.isNaN(baseline)) {
                withoutBaseline.inc(); // no baseline yet: no alert either way
            } else {
                evaluated.inc();
                judged = true;
                judge(rule, s, o, baseline, out);
            }
        }

        if (stored == null && !judged && !rule.isDrop()) {
            return; // a subject never judged keeps no state (tiny slices cost nothing)
        }
        s.lastEventTime = lastEventTime;
        long expiry = saturatedAdd(lastEventTime, rule.retentionMs);
        if (expiry != s.expiryTimer) {
            if (s.expiryTimer != AlertSubjectState.NONE) {
                ctx.timerService().deleteEventTimeTimer(s.expiryTimer);
            }
            ctx.timerService().registerEventTimeTimer(expiry);
            s.expiryTimer = expiry;
        }
        if (rule.isDrop()) {
            evict(history(rule, s, lastEventTime));
        }
        subject.update(s);
    }

    private void judge(
            AlertRule rule,
            AlertSubjectState s,
            RuleObservation o,
            double baseline,
            Collector<Alert> out) {
        double bound = rule.bound(baseline, o.noiseThreshold);
        boolean holds = rule.holds(o.value, bound, o.pValue);
        s.windowStart = o.windowStart;
        s.windowEnd = o.windowEnd;
        s.revision = o.revision;
        s.bound = bound;
        s.condition = rule.conditionText(baseline);
        s.severity = rule.severity.name().toLowerCase(Locale.ROOT);
        s.source = rule.measure.source().name().toLowerCase(Locale.ROOT);
        s.measure = rule.measure.column();
        if (holds && !s.firing) {
            s.firing = true;
            s.firingSince = o.eventTime;
            fired.inc();
            out.collect(
                    alert(rule, o, AlertState.FIRING, s)
                            .setMessage(AlertText.fired(o.application, rule, o, bound, baseline))
                            .build());
        } else if (!holds && s.firing) {
            s.firing = false;
            s.firingSince = AlertSubjectState.NONE;
            resolved.inc();
            out.collect(
                    alert(rule, o, AlertState.RESOLVED, s)
                            .setMessage(AlertText.resolved(o.application, rule, o, bound, baseline))
                            .build());
        }
    }

    private static Alert.Builder alert(
            AlertRule rule, RuleObservation o, AlertState state, AlertSubjectState s) {
        return builder(o.application, rule.name, o.subject, state, s)
                .setValue(Double.isFinite(o.value) ? o.value : null)
                .setSupport(o.support)
                .setEventTime(Instant.ofEpochMilli(o.eventTime));
    }

    /** The fields of the rule come from the state: a rule removed from the spec still resolves. */
    private static Alert.Builder builder(
            String application,
            String rule,
            String subjectName,
            AlertState state,
            AlertSubjectState s) {
        return Alert.newBuilder()
                .setApplication(application)
                .setRule(rule)
                .setSeverity(s.severity)
                .setState(state)
                .setSource(s.source)
                .setSubject(subjectName)
                .setMeasure(s.measure)
                .setCondition(s.condition)
                .setThreshold(s.bound)
                .setWindowStart(Instant.ofEpochMilli(s.windowStart))
                .setWindowEnd(Instant.ofEpochMilli(s.windowEnd));
    }

    /** Keeps the latest revision of the observation's window for later baselines. */
    private void remember(
            AlertRule rule, AlertSubjectState s, RuleObservation o, long lastEventTime)
            throws Exception {
        if (o.windowEnd <= history(rule, s, lastEventTime)) {
            return; // too old for any future baseline
        }
        CohortValue known = history.get(o.windowStart);
        if (known == null || o.revision >= known.revision) {
            history.put(
                    o.windowStart, new CohortValue(o.windowEnd, o.revision, o.value, o.support));
        }
    }

    /**
     * Windows ending at or before this are of no use: a future judged row starts at or after the
     * judged window (so its baseline ends after {@code judged start − B}), and a window ending more
     * than the retention before the latest row can no longer be revised or judged.
     */
    private static long history(AlertRule rule, AlertSubjectState s, long lastEventTime) {
        long byJudged = s.judged() ? s.windowStart - rule.baselineMs : Long.MIN_VALUE;
        long byTime =
                lastEventTime == AlertSubjectState.NONE
                        ? Long.MIN_VALUE
                        : lastEventTime - rule.retentionMs;
        return Math.max(byJudged, byTime);
    }

    private void evict(long endAtOrBefore) throws Exception {
        List<Long> old = new ArrayList<>();
        for (Map.Entry<Long, CohortValue> e : history.entries()) {
            if (e.getValue().windowEnd <= endAtOrBefore) {
                old.add(e.getKey());
            }
        }
        for (Long start : old) {
            history.remove(start);
        }
    }

    /**
     * The mean over the windows ending in {@code (start − B, start]}, each at its latest revision,
     * counting only those that meet {@code min-support} with a finite value; NaN when there is
     * none.
     */
    private double baseline(AlertRule rule, long start) throws Exception {
        double sum = 0;
        int n = 0;
        for (CohortValue v : history.values()) {
            if (v.windowEnd > start - rule.baselineMs
                    && v.windowEnd <= start
                    && v.support >= rule.minSupport
                    && Double.isFinite(v.value)) {
                sum += v.value;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        AlertSubjectState s = subject.value();
        if (s == null || s.expiryTimer != timestamp) {
            return; // superseded timers are deleted; nothing else registers one
        }
        // The final watermark of a bounded input (a drain run, a draining stop) is the end of the
        // data, not evidence that the subject went quiet: an alert that fires then stays FIRING.
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        if (s.firing && !endOfInput) {
            String[] key = ctx.getCurrentKey().split("\u0000", 3);
            String message =
                    rules.contains(key[1])
                            ? AlertText.expired(key[0], rules.rule(key[1]), key[2], s.lastEventTime)
                            : AlertText.ruleRemoved(key[0], key[1], key[2], s.lastEventTime);
            expired.inc();
            resolved.inc();
            out.collect(
                    builder(key[0], key[1], key[2], AlertState.RESOLVED, s)
                            .setValue(null)
                            .setSupport(0)
                            .setEventTime(Instant.ofEpochMilli(timestamp))
                            .setMessage(message)
                            .build());
        }
        subject.clear();
        history.clear();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
