package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the {@code metrics} section: the task, the cohort window, the slices, the metrics and the
 * estimation keys; the task decides the defaults of the metrics and of {@code expired-as}.
 */
final class MetricsReader {

    private MetricsReader() {}

    /** A disabled section when left out, not a mapping, or {@code enabled: false}. */
    static MetricsSpec read(ValueReader r, Node node, String path, PredictionInput predictions) {
        if (node == null) {
            return SpecDefaults.metrics();
        }
        Obj o = r.obj(node, path);
        if (o == null) {
            return SpecDefaults.metrics();
        }
        Boolean enabled = r.bool(o, "enabled", SpecDefaults.METRICS_ENABLED);
        boolean on = !Boolean.FALSE.equals(enabled);
        MetricsTask task = r.enumValue(o, "task", MetricsTask.class, null, on);
        Duration window = r.duration(o, "window", SpecDefaults.METRICS_WINDOW);
        List<List<String>> slices = slices(r, o);
        List<MetricName> metricNames = r.enumList(o, "metrics", MetricName.class);
        Double threshold =
                r.bounded(o, "positive-threshold", SpecDefaults.POSITIVE_THRESHOLD, 0, 1, true);
        Integer k = r.integer(o, "k", SpecDefaults.K, 1, 1000, false);
        ExpiredAs expiredAs = r.enumValue(o, "expired-as", ExpiredAs.class, null, false);
        Integer bins =
                r.integer(o, "calibration-bins", SpecDefaults.CALIBRATION_BINS, 2, 1000, false);
        EstimationSpec estimation = estimation(r, o);
        if (o.optional("estimation") != null
                && task != null
                && task != MetricsTask.BINARY_CLASSIFICATION) {
            r.error(
                    o.child("estimation"),
                    "performance estimation needs task 'binary-classification', got '%s' —"
                            + " expected no estimation section",
                    SpecNames.yamlName(task));
        }
        o.finish();
        if (!on) {
            return SpecDefaults.metrics();
        }
        if (metricNames == null && task != null) {
            metricNames = SpecDefaults.metricNames(task, predictions);
        }
        if (expiredAs == null && task != null) {
            expiredAs = SpecDefaults.expiredAs(task);
        }
        return new MetricsSpec(
                true,
                task,
                window,
                slices,
                metricNames,
                ValueReader.nonNull(threshold, SpecDefaults.POSITIVE_THRESHOLD),
                ValueReader.nonNull(k, SpecDefaults.K),
                expiredAs,
                ValueReader.nonNull(bins, SpecDefaults.CALIBRATION_BINS),
                estimation);
    }

    /**
     * {@code metrics.slices}: a list of lists of dimension names. A dimension that is not a single
     * value stays as null, so the validator's indices still match the file.
     */
    private static List<List<String>> slices(ValueReader r, Obj o) {
        List<List<String>> slices = new ArrayList<>();
        String slicesPath = o.child("slices");
        List<Node> sliceNodes = r.list(o.optional("slices"), slicesPath);
        for (int i = 0; i < sliceNodes.size(); i++) {
            String slicePath = slicesPath + "[" + i + "]";
            Node sliceNode = sliceNodes.get(i);
            if (!(sliceNode instanceof SequenceNode)) {
                r.error(
                        slicePath,
                        ValueReader.line(sliceNode),
                        "expected a list of dimension names, e.g. [country, model_version], got %s",
                        ValueReader.kind(sliceNode));
                continue;
            }
            List<String> dims = new ArrayList<>();
            List<Node> dimNodes = ((SequenceNode) sliceNode).getValue();
            r.record(slicePath, sliceNode);
            for (int j = 0; j < dimNodes.size(); j++) {
                ValueReader.Scalar s = r.scalar(dimNodes.get(j), slicePath + "[" + j + "]");
                dims.add(s == null ? null : s.value());
            }
            slices.add(dims);
        }
        return slices;
    }

    /** {@code metrics.estimation}: each key given, or its {@link EstimationSpec#DEFAULTS} value. */
    private static EstimationSpec estimation(ValueReader r, Obj metrics) {
        EstimationSpec d = EstimationSpec.DEFAULTS;
        Obj e = r.obj(metrics.optional("estimation"), metrics.child("estimation"));
        if (e == null) {
            return d;
        }
        Double confidence = r.bounded(e, "confidence", d.confidence(), 0, 1, true);
        Double bound = r.bounded(e, "calibration-bound", d.calibrationBound(), 0, 1, false);
        Integer minRows =
                r.integer(e, "min-reference-rows", d.minReferenceRows(), 1, 1_000_000_000, false);
        Integer cohorts = r.integer(e, "reference-cohorts", d.referenceCohorts(), 1, 365, false);
        e.finish();
        return new EstimationSpec(
                ValueReader.nonNull(confidence, d.confidence()),
                ValueReader.nonNull(bound, d.calibrationBound()),
                ValueReader.nonNull(minRows, d.minReferenceRows()),
                ValueReader.nonNull(cohorts, d.referenceCohorts()));
    }
}
