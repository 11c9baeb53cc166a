package io.hindsight.curation;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import io.hindsight.spec.RetrainTriggerSpec;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Routes alert changes and closed curated periods to the retraining triggers that watch them. */
final class RetrainRouter {

    private RetrainRouter() {}

    static final class Alerts implements FlatMapFunction<Alert, RetrainSignal> {
        private static final long serialVersionUID = 1L;
        private final List<RetrainTriggerSpec> triggers;

        Alerts(List<RetrainTriggerSpec> triggers) {
            this.triggers = List.copyOf(triggers);
        }

        @Override
        public void flatMap(Alert a, Collector<RetrainSignal> out) {
            for (RetrainTriggerSpec t : triggers) {
                if (t.onAlert() && t.alert().equals(a.getRule())) {
                    out.collect(
                            RetrainSignal.alert(
                                    t.name(),
                                    a.getSubject(),
                                    a.getState() == AlertState.FIRING,
                                    a.getEventTime().toEpochMilli()));
                }
            }
        }
    }

    static final class Periods implements FlatMapFunction<CurationPeriod, RetrainSignal> {
        private static final long serialVersionUID = 1L;
        private final List<RetrainTriggerSpec> triggers;

        Periods(List<RetrainTriggerSpec> triggers) {
            this.triggers = List.copyOf(triggers);
        }

        @Override
        public void flatMap(CurationPeriod p, Collector<RetrainSignal> out) {
            for (RetrainTriggerSpec t : triggers) {
                if (!t.onAlert() && t.dataset().equals(p.rule)) {
                    out.collect(RetrainSignal.period(t.name(), p));
                }
            }
        }
    }
}
