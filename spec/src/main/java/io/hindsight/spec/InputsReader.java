package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code inputs} section: the event-time bounds and the two input topics, whose common
 * keys (topic, format, schema file, offsets, time format) are read by one method.
 */
final class InputsReader {

    private InputsReader() {}

    static InputsSpec read(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        PredictionInput predictions =
                predictions(
                        r, o.required("predictions", "expected a mapping"), o.child("predictions"));
        FeedbackInput feedback =
                feedback(r, o.required("feedback", "expected a mapping"), o.child("feedback"));
        Duration lag = r.duration(o, "max-event-time-lag", SpecDefaults.MAX_EVENT_TIME_LAG);
        Duration lead = r.duration(o, "max-event-time-lead", SpecDefaults.MAX_EVENT_TIME_LEAD);
        o.finish();
        return new InputsSpec(predictions, feedback, lag, lead);
    }

    /** The keys both inputs take, read in this order before each input's own. */
    private record Common(
            String topic,
            InputFormat format,
            String schemaFile,
            StartingOffsets offsets,
            TimestampFormat timeFormat) {

        static Common read(ValueReader r, Obj o) {
            String topic = r.topic(o, "topic", null, true);
            InputFormat format = r.enumValue(o, "format", InputFormat.class, null, true);
            String schemaFile = r.file(o, "schema-file");
            StartingOffsets offsets =
                    r.enumValue(
                            o,
                            "starting-offsets",
                            StartingOffsets.class,
                            SpecDefaults.STARTING_OFFSETS,
                            false);
            TimestampFormat timeFormat =
                    r.enumValue(
                            o,
                            "event-time-format",
                            TimestampFormat.class,
                            SpecDefaults.EVENT_TIME_FORMAT,
                            false);
            return new Common(topic, format, schemaFile, offsets, timeFormat);
        }
    }

    private static PredictionInput predictions(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        Common t = Common.read(r, o);
        PredictionFields fields = null;
        Obj f = r.obj(o.required("fields", "expected a mapping"), o.child("fields"));
        if (f != null) {
            fields =
                    new PredictionFields(
                            r.fieldPath(f, "join-key", true),
                            r.fieldPath(f, "event-time", true),
                            r.valueSource(f, "model-name"),
                            r.valueSource(f, "model-version"),
                            r.fieldPath(f, "score", false),
                            r.fieldPath(f, "scores", false),
                            r.fieldPath(f, "predicted-class", false),
                            r.fieldPath(f, "predicted-value", false),
                            r.fieldPath(f, "ranked-items", false),
                            r.fieldPath(f, "output-text", false));
            f.finish();
        }
        List<FeatureSpec> features = new ArrayList<>();
        List<Node> items = r.list(o.optional("features"), o.child("features"));
        for (int i = 0; i < items.size(); i++) {
            FeatureSpec feature = feature(r, items.get(i), o.child("features") + "[" + i + "]");
            if (feature != null) {
                features.add(feature);
            }
        }
        Map<String, FieldPath> tags = r.namedPaths(o.optional("tags"), o.child("tags"));
        o.finish();
        return new PredictionInput(
                t.topic(),
                t.format(),
                t.schemaFile(),
                t.offsets(),
                t.timeFormat(),
                fields,
                features,
                tags);
    }

    private static FeatureSpec feature(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        String name = r.string(o, "name", true, "expected a name, e.g. amount");
        if (name != null && !ValueReader.NAME.matcher(name).matches()) {
            r.error(
                    o.child("name"),
                    "invalid name %s — %s",
                    r.shown(o.child("name"), name),
                    ValueReader.NAME_EXPECTED);
            name = null;
        }
        FieldPath fieldPath = r.fieldPath(o, "path", false);
        if (fieldPath == null && name != null && o.optional("path") == null) {
            fieldPath = SpecDefaults.featurePath(name);
        }
        FeatureType type = r.enumValue(o, "type", FeatureType.class, null, true);
        List<TextProjection> projections = r.enumList(o, "projections", TextProjection.class);
        if (projections == null) {
            projections = SpecDefaults.projections(type);
        }
        Double min = r.number(o, "min", null);
        Double max = r.number(o, "max", null);
        o.finish();
        return name == null ? null : new FeatureSpec(name, fieldPath, type, projections, min, max);
    }

    private static FeedbackInput feedback(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        Common t = Common.read(r, o);
        FeedbackFields fields = null;
        Obj f = r.obj(o.required("fields", "expected a mapping"), o.child("fields"));
        if (f != null) {
            fields =
                    new FeedbackFields(
                            r.fieldPath(f, "join-key", true),
                            r.fieldPath(f, "event-time", true),
                            r.fieldPath(f, "feedback-id", false),
                            r.fieldPath(f, "label", false),
                            r.fieldPath(f, "label-class", false));
            f.finish();
        }
        Map<String, FieldPath> attributes =
                r.namedPaths(o.optional("attributes"), o.child("attributes"));
        o.finish();
        return new FeedbackInput(
                t.topic(),
                t.format(),
                t.schemaFile(),
                t.offsets(),
                t.timeFormat(),
                fields,
                attributes);
    }
}
