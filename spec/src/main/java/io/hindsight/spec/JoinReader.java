package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code join} section: the label window, holds, watermark bounds and policy. */
final class JoinReader {

    private JoinReader() {}

    static JoinSpec read(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        Duration labelWindow = r.requiredDuration(o, "label-window");
        JoinSpec join =
                new JoinSpec(
                        labelWindow,
                        r.duration(
                                o,
                                "early-feedback-hold",
                                SpecDefaults.earlyFeedbackHold(labelWindow)),
                        r.duration(
                                o, "late-feedback-retention", SpecDefaults.LATE_FEEDBACK_RETENTION),
                        r.duration(o, "out-of-orderness", SpecDefaults.OUT_OF_ORDERNESS),
                        r.duration(o, "idleness", SpecDefaults.IDLENESS),
                        r.enumValue(o, "policy", FeedbackPolicy.class, SpecDefaults.POLICY, false),
                        r.enumValue(
                                o,
                                "end-of-input",
                                EndOfInput.class,
                                SpecDefaults.END_OF_INPUT,
                                false),
                        r.duration(o, "max-source-drift", SpecDefaults.MAX_SOURCE_DRIFT));
        o.finish();
        return join;
    }
}
