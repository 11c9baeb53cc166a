package io.hindsight.demo;

import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.join.JoinStateCounts;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulationPublisher;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.TableNames;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;

/**
 * The demo's closing report: the conservation table, each term from an independent source (Kafka
 * offsets, Iceberg SQL, the dead-letter topic, the savepoint), what the simulator injected against
 * what Hindsight found, and the SQL a person would run, executed for real.
 *
 * <p>{@link #print} returns what went wrong, one line each: a conservation check that does not
 * balance, a query that printed no rows. The demo fails on any of them.
 */
final class DemoReport {

    private final PrintStream out;
    private final IcebergBatchSql sql;
    private final TableNames t;
    private final String alertsTopic;
    private final String discoveredSlices;
    private final List<String> failures = new ArrayList<>();

    DemoReport(PrintStream out, IcebergBatchSql sql, JobSpec spec) {
        this.out = out;
        this.sql = sql;
        this.t = spec.iceberg().tables();
        this.alertsTopic = spec.outputs().alertsTopic();
        this.discoveredSlices =
                spec.metrics().discovery().enabled() ? spec.metrics().discovery().table() : null;
    }

    /** Prints the report and returns its failures, none if everything balanced and showed rows. */
    List<String> print(
            SimulationPublisher.Summary published,
            long predictionsRead,
            long feedbackRead,
            Demo.Truths truths,
            Map<String, Long> deadLetters,
            JoinStateCounts state,
            java.time.Instant driftAt)
            throws Exception {
        long predictionRows = scalar("SELECT count(*) FROM " + t.predictions());
        long duplicatePredictions =
                scalar("SELECT count(*) FROM " + t.predictions() + " WHERE duplicate");
        long labeled =
                scalar(
                        "SELECT count(DISTINCT prediction_id) FROM "
                                + t.outcomes()
                                + " WHERE is_final AND status = 'LABELED'");
        long expired =
                scalar(
                        "SELECT count(DISTINCT prediction_id) FROM "
                                + t.outcomes()
                                + " WHERE is_final AND status = 'EXPIRED'");
        long finalPredictions =
                scalar(
                        "SELECT count(DISTINCT prediction_id) FROM "
                                + t.outcomes()
                                + " WHERE is_final");
        long feedbackJoined =
                scalar(
                        "SELECT coalesce(sum(feedback_count), 0) FROM "
                                + t.outcomes()
                                + " WHERE is_final");
        Map<String, Long> unmatched =
                grouped("SELECT kind, count(*) FROM " + t.unmatchedFeedback() + " GROUP BY kind");
        long unmatchedTotal = unmatched.values().stream().mapToLong(Long::longValue).sum();
        long dlqPredictions = prefixed(deadLetters, "PREDICTIONS");
        long dlqFeedback = prefixed(deadLetters, "FEEDBACK");
        long held = state.feedbackHeld() + state.feedbackInProvisionalRows();

        out.println();
        out.println("Conservation: every input record is in exactly one place");
        out.println("  (read: Kafka end offsets; tables: Iceberg SQL; dead letters: the topic;");
        out.println("   waiting: counted in the savepoint with the State Processor API)");
        out.println();
        line("predictions read", predictionsRead, "");
        line("  in table " + t.predictions(), predictionRows, "");
        line("    of which re-sent duplicates", duplicatePredictions, "");
        line("  dead-lettered", dlqPredictions, "");
        check("read = table rows + dead letters", predictionsRead, predictionRows + dlqPredictions);
        line("  joined (final, labeled)", labeled, "");
        line("  expired (final, no feedback in 60 days)", expired, "");
        line("  still waiting in state", state.predictionsWaiting(), "");
        check(
                "distinct predictions = final + waiting",
                predictionRows - duplicatePredictions,
                finalPredictions + state.predictionsWaiting());
        out.println();
        line("feedback read", feedbackRead, "");
        line("  joined into final outcomes", feedbackJoined, "");
        for (var e : unmatched.entrySet()) {
            line(
                    "  " + e.getKey().toLowerCase() + " (" + t.unmatchedFeedback() + ")",
                    e.getValue(),
                    "");
        }
        line("  dead-lettered", dlqFeedback, "");
        line("  held in state", held, "");
        check(
                "read = joined + unmatched + dead + held",
                feedbackRead,
                feedbackJoined + unmatchedTotal + dlqFeedback + held);

        out.println();
        out.println("What the simulator injected, and what Hindsight found");
        compare("duplicate predictions", truths.duplicatePredictions, duplicatePredictions);
        compare(
                "duplicate feedback",
                truths.duplicateFeedback,
                unmatched.getOrDefault("DUPLICATE", 0L));
        compare(
                "feedback for payments never scored",
                truths.orphanFeedback,
                unmatched.getOrDefault("ORPHAN", 0L));
        long malformed = truths.malformed.values().stream().mapToLong(Long::longValue).sum();
        compare("malformed records", malformed, dlqPredictions + dlqFeedback);
        out.printf(
                "  %-50s %,10d  (joined: they were held until their prediction arrived)%n",
                "feedback sent before its prediction", truths.earlyFeedback);
        out.println("  dead letters by reason:");
        deadLetters.forEach((k, v) -> out.printf("    %-48s %,10d%n", k, v));

        return queries(driftAt);
    }

    /**
     * Runs and prints the SQL a person would run, and returns the report's failures so far, these
     * queries' included.
     */
    List<String> queries(java.time.Instant driftAt) {
        out.println();
        out.println("The SQL a person would run (Flink SQL over the Iceberg tables):");
        Row bounds =
                sql.rows(
                                "SELECT min(event_time), max(event_time) FROM "
                                        + t.predictions()
                                        + " WHERE model_version = 'v7'")
                        .get(0);
        java.time.Instant v7First = (java.time.Instant) bounds.getField(0);
        if (v7First == null) {
            failures.add("no prediction of model v7 in " + t.predictions());
            return List.copyOf(failures);
        }
        long weekStart = v7First.toEpochMilli() + 7L * 86_400_000L;
        long weekEnd = weekStart + 7L * 86_400_000L;
        query(
                "How did model v7 do on new users (account < 30 days) in the week of "
                        + Demo.day(java.time.Instant.ofEpochMilli(weekStart))
                        + ", against v6? (labels so far; no chargeback yet counts as legitimate)",
                """
                SELECT p.model_version,
                       count(*) AS payments,
                       sum(CASE WHEN o.label = 1 THEN 1 ELSE 0 END) AS chargebacks,
                       round(avg(CASE WHEN o.prediction_id IS NULL THEN 0.0 ELSE 1.0 END), 3) AS resolved,
                       round(sum(CASE WHEN o.label = 1 AND p.score >= 0.5 THEN 1.0 ELSE 0.0 END)
                             / nullif(sum(CASE WHEN o.label = 1 THEN 1.0 ELSE 0.0 END), 0), 3) AS recall_at_05,
                       round(sum(CASE WHEN o.label = 1 AND p.score >= 0.5 THEN 1.0 ELSE 0.0 END)
                             / nullif(sum(CASE WHEN p.score >= 0.5 THEN 1.0 ELSE 0.0 END), 0), 3) AS precision_at_05
                FROM %s p
                LEFT JOIN %s o ON o.prediction_id = p.prediction_id AND o.is_final
                WHERE NOT p.duplicate
                  AND p.numeric_features['account_age_days'] < 30
                  AND p.event_time >= TO_TIMESTAMP_LTZ(%d, 3)
                  AND p.event_time < TO_TIMESTAMP_LTZ(%d, 3)
                GROUP BY p.model_version
                ORDER BY p.model_version"""
                        .formatted(t.predictions(), t.outcomes(), weekStart, weekEnd));
        query(
                "Which country/version slices are worst? (final labeled outcomes, recall at 0.5)",
                """
                SELECT tags['country'] AS country, model_version,
                       count(*) AS chargebacks,
                       round(avg(CASE WHEN score >= 0.5 THEN 1.0 ELSE 0.0 END), 3) AS recall_at_05
                FROM %s
                WHERE is_final AND status = 'LABELED' AND label = 1
                GROUP BY tags['country'], model_version
                HAVING count(*) >= 20
                ORDER BY recall_at_05
                LIMIT 6"""
                        .formatted(t.outcomes()));
        monitoring(driftAt);
        query(
                "How long do labels take? (label delay of final labeled outcomes)",
                """
                SELECT label_delay, count(*) AS outcomes
                FROM (SELECT CASE WHEN label_delay_ms < 86400000 THEN '1: < 1 day'
                                  WHEN label_delay_ms < 604800000 THEN '2: 1-7 days'
                                  WHEN label_delay_ms < 2592000000 THEN '3: 7-30 days'
                                  ELSE '4: 30+ days' END AS label_delay
                      FROM %s
                      WHERE is_final AND status = 'LABELED')
                GROUP BY label_delay
                ORDER BY label_delay"""
                        .formatted(t.outcomes()));
        return List.copyOf(failures);
    }

    /** What drift, slice metrics and alerts caught, against what was injected when. */
    private void monitoring(java.time.Instant driftAt) {
        long injected = driftAt.toEpochMilli();
        out.println();
        out.println(
                "Drift, slice metrics and alerts (drift and the degraded BR/v7 slice were injected"
                        + " at "
                        + driftAt
                        + ")");
        out.println();
        out.println(
                "A window is drifted only when a statistic exceeds both its effect-size floor (JS"
                        + " 0.1, PSI 0.2, W1/σ 0.1) and what a window of its size drawn from the"
                        + " reference exceeds with probability 1 %, or when a low-rate category of"
                        + " predicted_class moved (Fisher's exact test); windows under 30 values are"
                        + " insufficient_data.");
        out.println(
                "At 100 values a window this flags 3 of 2 000 unchanged feature-windows where the"
                        + " floors alone flag 1 243, and it catches a 3 % -> 5 % positive rate in"
                        + " 92 % of 2 200-value windows (drift/README.md).");
        query(
                "Which features drifted, and when? (daily windows against the previous week)",
                """
                SELECT feature,
                       sum(CASE WHEN drifted AND window_start < TO_TIMESTAMP_LTZ(%d, 3) THEN 1 ELSE 0 END) AS drifted_before,
                       sum(CASE WHEN drifted AND window_start >= TO_TIMESTAMP_LTZ(%d, 3) THEN 1 ELSE 0 END) AS drifted_after,
                       min(CASE WHEN drifted AND window_start >= TO_TIMESTAMP_LTZ(%d, 3) THEN window_start END) AS first_after,
                       count(*) AS windows,
                       sum(CASE WHEN insufficient_data THEN 1 ELSE 0 END) AS too_small,
                       round(max(psi), 3) AS max_psi,
                       round(max(jensen_shannon), 3) AS max_js
                FROM %s
                GROUP BY feature
                ORDER BY drifted_after DESC, feature"""
                        .formatted(injected, injected, injected, t.drift()));
        query(
                "Which country/version slices are worst since the injection? (weekly cohorts,"
                        + " latest revision of each; labels still arriving)",
                """
                SELECT slice,
                       count(*) AS cohorts,
                       sum(predictions) AS predictions,
                       sum(labeled) AS labeled,
                       round(avg(recall), 3) AS recall,
                       round(avg(auc), 3) AS auc
                FROM (SELECT *, ROW_NUMBER() OVER (
                               PARTITION BY slice, window_start ORDER BY revision DESC) AS latest
                      FROM %s)
                WHERE latest = 1
                  AND window_start >= TO_TIMESTAMP_LTZ(%d, 3)
                  AND slice LIKE 'country=%%,model_version=%%'
                GROUP BY slice
                ORDER BY auc
                LIMIT 6"""
                        .formatted(t.metrics(), injected));
        degradedSlice(injected);
        String alerts =
                """
                SELECT event_time, state, rule, subject, message
                FROM %s
                ORDER BY event_time, rule, subject
                LIMIT 20"""
                        .formatted(t.alerts());
        out.println();
        out.println(
                "-- Which alerts fired? (state changes: each alert fires once and resolves once;"
                        + " the same records, as JSON, are on "
                        + alertsTopic
                        + ")");
        out.println(alerts.strip().indent(2).stripTrailing());
        List<Row> rows = sql.rows(alerts);
        for (Row r : rows) {
            out.printf(
                    "  %s  %-8s  %-12s %-12s %s%n",
                    r.getField(0), r.getField(1), r.getField(2), r.getField(3), r.getField(4));
        }
        out.println("  (" + rows.size() + " state changes)");
        if (rows.isEmpty()) {
            failures.add(noRows("Which alerts fired?"));
        }
    }

    /**
     * The degraded slice two ways: its estimated AUC (from the scores alone, from revision 1 on)
     * beside the realized one as chargebacks arrive, and whether slice discovery, which names no
     * slice, found it.
     */
    private void degradedSlice(long injected) {
        String degraded =
                "country="
                        + FraudSimulator.DEGRADED_COUNTRY
                        + ",model_version="
                        + FraudSimulator.DEGRADED_VERSION;
        query(
                "Did the scores warn before the labels? Estimated AUC (from the scores alone, so"
                        + " from revision 1, before any label) against the realized AUC as"
                        + " chargebacks arrive, slice "
                        + degraded
                        + ", cohorts from the week before the injection",
                """
                SELECT window_start, revision, as_of, predictions, labeled,
                       round(label_coverage, 3) AS coverage,
                       round(estimated_auc, 3) AS estimated_auc,
                       round(auc, 3) AS realized_auc,
                       estimate_trusted
                FROM %s
                WHERE slice = '%s'
                  AND window_start >= TO_TIMESTAMP_LTZ(%d, 3)
                ORDER BY window_start, revision"""
                        .formatted(t.metrics(), degraded, injected - 14L * 86_400_000L));
        if (discoveredSlices == null) {
            return;
        }
        out.println();
        out.println(
                "Slice discovery tests every slice of country, channel, model_version and"
                        + " merchant_category (pairs included) against the rest of its cohort:"
                        + " error rate by a two-proportion z-test (Fisher's exact for small"
                        + " counts), AUC by Hanley-McNeil; the false discovery rate is held at"
                        + " 5 % per cohort test by Benjamini-Hochberg (discovery/README.md).");
        query(
                "Which slices are significantly worse than the rest of their cohort? (each"
                        + " cohort's latest test; no slice is named in the spec)",
                """
                SELECT d.window_start, d.revision, d.as_of, d.slice, d.metric,
                       round(d.slice_value, 3) AS slice_value,
                       round(d.rest_value, 3) AS rest_value,
                       d.support, d.p_value, round(d.q_value, 6) AS q_value, d.tested
                FROM %s d
                JOIN (SELECT window_start, max(revision) AS revision
                      FROM %s GROUP BY window_start) l
                  ON d.window_start = l.window_start AND d.revision = l.revision
                ORDER BY d.window_start DESC, d.q_value, d.slice, d.metric
                LIMIT 12"""
                        .formatted(discoveredSlices, discoveredSlices));
        long found =
                scalar(
                        "SELECT count(*) FROM "
                                + discoveredSlices
                                + " WHERE slice = '"
                                + degraded
                                + "'");
        out.printf(
                "  %-50s %s%n",
                "the degraded slice " + degraded,
                found > 0
                        ? "discovered (" + found + " rows: cohort tests and metrics)"
                        : "NOT discovered");
    }

    private void query(String question, String query) {
        out.println();
        out.println("-- " + question);
        out.println(query.strip().indent(2).stripTrailing());
        if (sql.print(query, out) == 0) {
            failures.add(noRows(question));
        }
    }

    static String noRows(String question) {
        int end = question.indexOf('?');
        return "no rows from the query \""
                + (end < 0 ? question : question.substring(0, end + 1))
                + "\"";
    }

    static String unbalanced(String what, long left, long right) {
        return String.format(
                "conservation check does not balance: %s (%,d ≠ %,d)", what, left, right);
    }

    private long scalar(String query) {
        List<Row> rows = sql.rows(query);
        Object v = rows.get(0).getField(0);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private Map<String, Long> grouped(String query) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Row r : sql.rows(query)) {
            out.put(String.valueOf(r.getField(0)), ((Number) r.getField(1)).longValue());
        }
        return out;
    }

    private static long prefixed(Map<String, Long> counts, String prefix) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix + " "))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    private void line(String label, long value, String note) {
        out.printf("  %-50s %,10d  %s%n", label, value, note);
    }

    private void check(String what, long left, long right) {
        if (left != right) {
            failures.add(unbalanced(what, left, right));
        }
        out.printf(
                "  %-50s %s  (%,d %s %,d)%n",
                "check: " + what,
                left == right ? "  balanced" : "NOT BALANCED",
                left,
                left == right ? "=" : "≠",
                right);
    }

    private void compare(String what, long injected, long found) {
        out.printf(
                "  %-50s %,10d injected, %,d found%s%n",
                what, injected, found, injected == found ? "" : "  (differs)");
    }
}
