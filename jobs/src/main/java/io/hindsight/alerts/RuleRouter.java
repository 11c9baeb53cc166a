package io.hindsight.alerts;

import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Turns each drift or slice-metric row into one observation per rule that watches it (its feature,
 * or its slice's dimensions).
 */
final class RuleRouter<T> extends RichFlatMapFunction<T, RuleObservation> {

    private static final long serialVersionUID = 1L;

    /** {@link AlertRules#observe} for one kind of row. */
    interface Observer<T> extends Serializable {
        int observe(AlertRules rules, T row, Consumer<RuleObservation> out);
    }

    private final AlertRules rules;
    private final Observer<T> observer;
    private transient Counter rowsIn;
    private transient Counter rowsUnmatched;

    RuleRouter(AlertRules rules, Observer<T> observer) {
        this.rules = rules;
        this.observer = observer;
    }

    @Override
    public void open(OpenContext context) {
        rowsIn = getRuntimeContext().getMetricGroup().counter("alertRowsIn");
        rowsUnmatched = getRuntimeContext().getMetricGroup().counter("alertRowsUnmatched");
    }

    @Override
    public void flatMap(T row, Collector<RuleObservation> out) {
        rowsIn.inc();
        if (observer.observe(rules, row, out::collect) == 0) {
            rowsUnmatched.inc(); // a feature or slice no rule watches: not an error
        }
    }
}
