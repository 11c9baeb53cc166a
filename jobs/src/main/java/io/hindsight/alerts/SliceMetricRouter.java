package io.hindsight.alerts;

import io.hindsight.schemas.SliceMetric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/** Turns each slice-metric row into one observation per metrics rule on its slice. */
final class SliceMetricRouter extends RichFlatMapFunction<SliceMetric, RuleObservation> {

    private static final long serialVersionUID = 1L;

    private final AlertRules rules;
    private transient Counter rowsIn;
    private transient Counter rowsUnmatched;

    SliceMetricRouter(AlertRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext context) {
        rowsIn = getRuntimeContext().getMetricGroup().counter("alertRowsIn");
        rowsUnmatched = getRuntimeContext().getMetricGroup().counter("alertRowsUnmatched");
    }

    @Override
    public void flatMap(SliceMetric row, Collector<RuleObservation> out) {
        rowsIn.inc();
        if (rules.observe(row, out::collect) == 0) {
            rowsUnmatched.inc(); // a slice no rule watches: not an error
        }
    }
}
