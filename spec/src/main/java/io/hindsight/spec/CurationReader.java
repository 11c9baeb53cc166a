package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code curation} section: the rules that select records into versioned datasets (what
 * they select, how they sample, their budget per period) and the retraining triggers.
 */
final class CurationReader {

    private CurationReader() {}

    static CurationSpec read(ValueReader r, Node node, String path, String app) {
        if (node == null) {
            return CurationSpec.disabled();
        }
        Obj o = r.obj(node, path);
        if (o == null) {
            return CurationSpec.disabled();
        }
        String topic = r.topic(o, "retrain-topic", SpecDefaults.retrainTopic(app), false);
        List<CurationRuleSpec> rules = new ArrayList<>();
        List<Node> items = r.list(o.optional("rules"), o.child("rules"));
        for (int i = 0; i < items.size(); i++) {
            CurationRuleSpec rule = rule(r, items.get(i), o.child("rules") + "[" + i + "]");
            if (rule != null) {
                rules.add(rule);
            }
        }
        List<RetrainTriggerSpec> triggers = new ArrayList<>();
        items = r.list(o.optional("retrain"), o.child("retrain"));
        for (int i = 0; i < items.size(); i++) {
            RetrainTriggerSpec t = trigger(r, items.get(i), o.child("retrain") + "[" + i + "]");
            if (t != null) {
                triggers.add(t);
            }
        }
        o.finish();
        return new CurationSpec(rules, triggers, topic);
    }

    private static CurationRuleSpec rule(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        String name = name(r, o, "expected a name, e.g. uncertain_br");
        CurationSource from = r.enumValue(o, "from", CurationSource.class, null, false);
        Obj select = r.obj(o.optional("select"), o.child("select"));
        Double scoreMin = null;
        Double scoreMax = null;
        double threshold = SpecDefaults.CURATION_THRESHOLD;
        Double uncertainWithin = null;
        boolean wrong = false;
        Map<String, String> slice = Map.of();
        String modelVersion = null;
        if (select != null) {
            scoreMin = r.number(select, "score-min", null);
            scoreMax = r.number(select, "score-max", null);
            threshold = r.bounded(select, "threshold", SpecDefaults.CURATION_THRESHOLD, 0, 1, true);
            uncertainWithin = r.bounded(select, "uncertain-within", null, 0, 1, false);
            wrong = r.bool(select, "wrong", false);
            slice = r.stringMap(select.optional("slice"), select.child("slice"));
            modelVersion = r.string(select, "model-version", false, null);
            select.finish();
            if (scoreMin != null && scoreMax != null && scoreMin > scoreMax) {
                r.error(
                        select.child("score-min"),
                        "invalid range %s to %s — expected score-min at most score-max",
                        r.shown(select.child("score-min"), select.optionalText("score-min")),
                        r.shown(select.child("score-max"), select.optionalText("score-max")));
            }
        }
        // A sampling given but invalid is null (its error is recorded): no stratification errors
        // follow from the typo.
        CurationSampling sampling = r.enumValue(o, "sampling", CurationSampling.class, null, false);
        if (sampling == null && o.optional("sampling") == null) {
            sampling = SpecDefaults.SAMPLING;
        }
        String stratifyBy = r.string(o, "stratify-by", false, null);
        List<String> strata = r.scalarList(o.optional("strata"), o.child("strata"));
        Integer budget = r.integer(o, "budget", null, 1, 1_000_000, true);
        Duration period = r.duration(o, "period", SpecDefaults.CURATION_PERIOD);
        Integer seed = r.integer(o, "seed", 0, 0, Integer.MAX_VALUE, false);
        o.finish();

        if (from == null) {
            from = SpecDefaults.curationSource(wrong);
        } else if (from == CurationSource.PREDICTIONS && wrong) {
            r.error(
                    select.child("wrong"),
                    "only used with from: outcomes — a prediction has no label until its outcome");
        }
        if (sampling == CurationSampling.STRATIFIED) {
            if (stratifyBy == null && o.optional("stratify-by") == null) {
                r.missing(o, "stratify-by", "expected the dimension to stratify by, e.g. country");
            }
            if (strata.isEmpty() && o.optional("strata") == null) {
                r.missing(o, "strata", "expected the values to draw from, e.g. [BR, US, MX]");
            } else if (budget != null && budget < strata.size()) {
                r.error(
                        o.child("budget"),
                        "invalid number %s — expected at least one row per stratum (%d strata)",
                        r.shown(o.child("budget"), String.valueOf(budget)),
                        strata.size());
            }
        } else if (sampling != null) {
            for (String key : List.of("stratify-by", "strata")) {
                if (o.optional(key) != null) {
                    r.error(
                            o.child(key),
                            "only used with sampling stratified — expected no %s with sampling"
                                    + " %s",
                            key,
                            SpecNames.yamlName(sampling));
                }
            }
        }
        if (period != null && period.toMillis() % 60_000 != 0) {
            r.error(
                    o.child("period"),
                    "invalid duration %s — expected a whole number of minutes, e.g. 1d",
                    r.shown(o.child("period"), o.optionalText("period")));
            period = null;
        }
        return new CurationRuleSpec(
                name,
                from,
                scoreMin,
                scoreMax,
                threshold,
                uncertainWithin,
                wrong,
                slice,
                modelVersion,
                sampling,
                stratifyBy,
                strata,
                budget == null ? 0 : budget,
                period,
                seed == null ? 0 : seed);
    }

    private static RetrainTriggerSpec trigger(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        String name = name(r, o, "expected a name, e.g. enough_labels");
        Obj when =
                r.obj(
                        o.required("when", "expected a mapping with alert or dataset"),
                        o.child("when"));
        String trainOn = r.string(o, "train-on", false, null);
        o.finish();
        if (when == null) {
            return new RetrainTriggerSpec(name, null, null, null, 0, trainOn);
        }
        String alert = r.string(when, "alert", false, null);
        Duration firingFor = r.duration(when, "firing-for", null);
        String dataset = r.string(when, "dataset", false, null);
        Integer labeledRows = r.integer(when, "labeled-rows", null, 1, Integer.MAX_VALUE, false);
        when.finish();
        if (alert == null && dataset == null) {
            if (when.optional("alert") == null && when.optional("dataset") == null) {
                r.missing(
                        when,
                        "alert",
                        "expected alert (with firing-for) or dataset (with labeled-rows)");
            }
        } else if (alert != null && dataset != null) {
            r.error(
                    when.child("dataset"),
                    "only one condition per trigger — expected alert or dataset, not both");
        } else if (alert != null) {
            if (firingFor == null && when.optional("firing-for") == null) {
                r.missing(when, "firing-for", "expected how long the alert fires, e.g. 6h");
            }
            if (when.optional("labeled-rows") != null) {
                r.error(
                        when.child("labeled-rows"),
                        "only used with dataset — expected no labeled-rows with alert");
            }
        } else {
            if (labeledRows == null && when.optional("labeled-rows") == null) {
                r.missing(when, "labeled-rows", "expected a number of labelled rows, e.g. 1000");
            }
            if (when.optional("firing-for") != null) {
                r.error(
                        when.child("firing-for"),
                        "only used with alert — expected no firing-for with dataset");
            }
        }
        return new RetrainTriggerSpec(
                name,
                alert,
                alert == null ? null : firingFor,
                dataset,
                labeledRows == null ? 0 : labeledRows,
                trainOn == null ? dataset : trainOn);
    }

    private static String name(ValueReader r, Obj o, String expected) {
        String name = r.string(o, "name", true, expected);
        if (name != null && !ValueReader.NAME.matcher(name).matches()) {
            r.error(
                    o.child("name"),
                    "invalid name %s — %s",
                    r.shown(o.child("name"), name),
                    ValueReader.NAME_EXPECTED);
            return null;
        }
        return name;
    }
}
