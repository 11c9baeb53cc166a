package io.hindsight.alerts;

import static io.hindsight.alerts.AlertTesting.DAY;
import static io.hindsight.alerts.AlertTesting.HOUR;
import static io.hindsight.alerts.AlertTesting.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.spec.AlertCondition;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.AlertSource;
import io.hindsight.spec.ConditionType;
import io.hindsight.spec.DiscoverySpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.Severity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules with {@code source: discovery}: fire on a discovered slice's effect and q-value. */
class DiscoveryAlertTest {

    static JobSpec spec(boolean discovery, List<String> slice) {
        JobSpec s = AlertTesting.spec();
        AlertRuleSpec rule =
                new AlertRuleSpec(
                        "worse-slice",
                        AlertSource.DISCOVERY,
                        null,
                        null,
                        null,
                        slice,
                        new AlertCondition(ConditionType.ABOVE, 0.1, null),
                        200,
                        Severity.CRITICAL,
                        0.01);
        return new JobSpec(
                s.version(),
                s.application(),
                s.kafka(),
                s.inputs(),
                s.join(),
                s.iceberg(),
                s.outputs(),
                s.drift(),
                discovery
                        ? s.metrics()
                                .withDiscovery(
                                        DiscoverySpec.of(
                                                "fraud",
                                                List.of("country", "channel"),
                                                2,
                                                0.05,
                                                200,
                                                100,
                                                List.of()))
                        : s.metrics(),
                List.of(rule));
    }

    static DiscoveredSlice row(
            String slice, int day, int revision, double effect, double q, long support) {
        Map<String, String> dims = new LinkedHashMap<>();
        for (String pair : slice.split(",")) {
            String[] kv = pair.split("=", 2);
            dims.put(kv[0], kv[1]);
        }
        long start = T0 + day * DAY;
        return DiscoveredSlice.newBuilder()
                .setApplication("fraud")
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + DAY))
                .setRevision(revision)
                .setIsFinal(false)
                .setAsOf(Instant.ofEpochMilli(start + DAY + revision * HOUR))
                .setSlice(slice)
                .setDimensions(dims)
                .setMetric("auc")
                .setTest("hanley-mcneil-z")
                .setSliceValue(0.9 - effect)
                .setRestValue(0.9)
                .setEffect(effect)
                .setStatistic(4.0)
                .setPValue(q / 10)
                .setQValue(q)
                .setSupport(support)
                .setRestSupport(10_000)
                .setTested(140)
                .build();
    }

    static List<Alert> push(AlertTesting.Operator op, DiscoveredSlice row) throws Exception {
        List<RuleObservation> observations = new java.util.ArrayList<>();
        op.rules.observe(row, observations::add);
        int before = op.all().size();
        for (RuleObservation o : observations) {
            op.harness.processElement(o, o.eventTime);
        }
        return op.all().subList(before, op.all().size());
    }

    @Test
    void firesOnceOnADiscoveredSliceAndResolvesWhenItsEffectFalls() throws Exception {
        AlertRules rules = AlertRules.of(spec(true, List.of()));
        try (AlertTesting.Operator op = new AlertTesting.Operator(rules, null)) {
            String slice = "country=BR,channel=web";
            // q above the rule's 0.01: no alert; small support: not judged.
            assertThat(push(op, row(slice, 0, 1, 0.4, 0.03, 500))).isEmpty();
            assertThat(push(op, row(slice, 0, 2, 0.4, 0.001, 50))).isEmpty();
            List<Alert> fired = push(op, row(slice, 0, 3, 0.4, 0.001, 500));
            assertThat(fired).hasSize(1);
            Alert a = fired.get(0);
            assertThat(a.getState()).hasToString("FIRING");
            assertThat(a.getSource()).isEqualTo("discovery");
            assertThat(a.getSubject()).isEqualTo("country=BR,channel=web auc");
            assertThat(a.getMeasure()).isEqualTo("effect");
            assertThat(a.getCondition()).isEqualTo("above 0.1 with q-value below 0.01");
            assertThat(a.getValue()).isEqualTo(0.4);
            assertThat(push(op, row(slice, 1, 1, 0.5, 0.001, 500))).isEmpty(); // still firing
            List<Alert> resolved = push(op, row(slice, 2, 1, 0.05, 0.001, 500));
            assertThat(resolved)
                    .singleElement()
                    .satisfies(r -> assertThat(r.getState()).hasToString("RESOLVED"));
        }
    }

    @Test
    void aRuleNamingDimensionsWatchesOnlyThoseSlices() {
        AlertRules rules = AlertRules.of(spec(true, List.of("country")));
        List<RuleObservation> seen = new java.util.ArrayList<>();
        assertThat(rules.observe(row("country=BR,channel=web", 0, 1, 0.4, 0.001, 500), seen::add))
                .isZero();
        assertThat(rules.observe(row("country=BR", 0, 1, 0.4, 0.001, 500), seen::add)).isOne();
        assertThat(seen.get(0).subject).isEqualTo("country=BR auc");
    }

    @Test
    void aRuleOnDisabledDiscoveryIsRefused() {
        assertThatThrownBy(() -> AlertRules.of(spec(false, List.of())))
                .hasMessage(
                        "alert rule 'worse-slice' watches discovered slices, but slice discovery"
                                + " is disabled");
    }
}
