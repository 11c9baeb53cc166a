package io.hindsight.bench;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import io.hindsight.iceberg.maintenance.MaintenancePass;
import io.hindsight.iceberg.maintenance.TableFootprint;
import io.hindsight.iceberg.maintenance.TableMaintenanceStreams;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MaintenanceSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Row;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * Table maintenance benchmark: writes the predictions and outcomes tables as weeks of a streaming
 * job would (one small file per commit, {@code --commits} commits over {@code --days} days of event
 * time ending now), measures them and times the README's first query ("how did v7 do on new users
 * last week", a join of both tables, its CURRENT_TIMESTAMP pinned to the end of the data) {@code
 * --runs} times; then runs one maintenance pass ({@link MaintenancePass}, Iceberg's Flink
 * maintenance streams) and measures and times again.
 *
 * <p>The pass's ages are shortened ({@code --expire-older-than}, default 1 s): the snapshots were
 * committed seconds ago in wall-clock time, standing in for weeks of commits of which all but the
 * last few are older than the spec's 7 days. Prints one line of figures and appends it to {@code
 * --results}.
 */
public final class MaintenanceBench {

    static final String QUERY =
            """
            SELECT p.model_version,
                   count(*) AS payments,
                   sum(CASE WHEN o.label = 1 THEN 1 ELSE 0 END) AS chargebacks,
                   avg(CASE WHEN o.prediction_id IS NULL THEN 0.0 ELSE 1.0 END) AS resolved,
                   sum(CASE WHEN o.label = 1 AND p.score >= 0.5 THEN 1.0 ELSE 0.0 END)
                     / nullif(sum(CASE WHEN o.label = 1 THEN 1.0 ELSE 0.0 END), 0) AS recall_at_05
            FROM fraud_predictions p
            LEFT JOIN fraud_outcomes o ON o.prediction_id = p.prediction_id AND o.is_final
            WHERE NOT p.duplicate
              AND p.numeric_features['account_age_days'] < 30
              AND p.event_time >= TIMESTAMP '%s' - INTERVAL '7' DAY
            GROUP BY p.model_version
            """;

    private final Map<String, String> args = new HashMap<>();
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public static void main(String[] argv) throws Exception {
        MaintenanceBench bench = new MaintenanceBench();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            bench.args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        bench.run();
        System.exit(0);
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    void run() throws Exception {
        int commits = Integer.parseInt(arg("commits", "2000"));
        int rowsPerCommit = Integer.parseInt(arg("rows-per-commit", "100"));
        int days = Integer.parseInt(arg("days", "42"));
        int runs = Integer.parseInt(arg("runs", "3"));
        Duration expireOlderThan = Duration.parse("PT" + arg("expire-older-than", "1S"));
        Path home = Path.of(arg("home", ".")).toAbsolutePath().normalize();
        Path work = Path.of(arg("work", "bench/target/maintenance")).toAbsolutePath();
        Path results = Path.of(arg("results", "bench/target/results.tsv")).toAbsolutePath();
        EndToEnd.deleteRecursively(work);
        Files.createDirectories(work);
        figures.put("bench", "maintenance");
        figures.put("commits", commits);
        figures.put("rows_per_commit", rowsPerCommit);
        figures.put("days", days);
        figures.put("load_before", EndToEnd.loadAverage());

        JobSpec spec = SpecLoader.load(home.resolve("bench/spec.yaml"), Map.of());
        CatalogLoader loader =
                IcebergCatalogs.loader(
                        spec.iceberg().catalogName(),
                        Map.of(
                                "type",
                                "hadoop",
                                "warehouse",
                                work.resolve("warehouse").toUri().toString()),
                        work.resolve("warehouse"));
        Map<String, TableIdentifier> ids = TableMaintenanceStreams.tables(spec);
        Catalog catalog = loader.loadCatalog();
        Table predictions =
                ensure(
                        catalog,
                        ids.get(HindsightTable.PREDICTIONS.defaultTableName()),
                        HindsightTable.PREDICTIONS);
        Table outcomes =
                ensure(
                        catalog,
                        ids.get(HindsightTable.OUTCOMES.defaultTableName()),
                        HindsightTable.OUTCOMES);

        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant start = end.minus(Duration.ofDays(days));
        long stepMillis = Duration.ofDays(days).toMillis() / commits;
        long writeStart = System.nanoTime();
        for (int c = 0; c < commits; c++) {
            // One checkpoint interval of predictions, and the outcomes resolved in it.
            Instant t = start.plusMillis(c * stepMillis);
            List<Record> ps = new ArrayList<>(rowsPerCommit);
            List<Record> os = new ArrayList<>(rowsPerCommit);
            for (int r = 0; r < rowsPerCommit; r++) {
                long i = (long) c * rowsPerCommit + r;
                Instant at = t.plusMillis(r * stepMillis / rowsPerCommit);
                ps.add(SmallCommitWriter.prediction(predictions, i, at));
                os.add(SmallCommitWriter.outcome(outcomes, i, at));
            }
            SmallCommitWriter.commit(predictions, ps, c + 1);
            SmallCommitWriter.commit(outcomes, os, c + 1);
        }
        figures.put("write_s", seconds(System.nanoTime() - writeStart));

        Path log = work.resolve("bench.log");
        // The README's CURRENT_TIMESTAMP pinned to the end of the data, so that both sets of runs
        // answer the same question (minutes pass between them).
        String query = QUERY.formatted(end.toString().replace("T", " ").replace("Z", ""));
        measure("without", predictions, outcomes, loader, spec, log, runs, query);

        MaintenanceSpec m =
                MaintenanceSpec.defaults()
                        .withExpiry(expireOlderThan, Integer.parseInt(arg("retain-last", "10")))
                        .withOrphansOlderThan(
                                Duration.parse("PT" + arg("orphans-older-than", "1S")));
        MaintenancePass.Result pass =
                MaintenancePass.run(spec, m, loader, new Configuration(), Duration.ofMinutes(30));
        figures.put("pass_s", seconds(pass.took().toNanos()));

        measure("with", predictions, outcomes, loader, spec, log, runs, query);
        figures.put("load_after", EndToEnd.loadAverage());

        StringBuilder line = new StringBuilder();
        figures.forEach(
                (k, v) ->
                        line.append(line.length() == 0 ? "" : "\t")
                                .append(k)
                                .append('=')
                                .append(v));
        System.out.println(line);
        Files.createDirectories(results.getParent());
        Files.writeString(
                results, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void measure(
            String when,
            Table predictions,
            Table outcomes,
            CatalogLoader loader,
            JobSpec spec,
            Path log,
            int runs,
            String query) {
        for (Map.Entry<String, Table> e :
                Map.of("predictions", predictions, "outcomes", outcomes).entrySet()) {
            TableFootprint f = TableFootprint.of(e.getValue());
            String p = when + "_" + e.getKey() + "_";
            figures.put(p + "rows", f.rows());
            figures.put(p + "data_files", f.dataFiles());
            figures.put(p + "snapshots", f.snapshots());
            figures.put(p + "metadata_json_bytes", f.metadataFileBytes());
            figures.put(p + "metadata_dir_bytes", f.metadataDirBytes());
            figures.put(p + "files_on_storage", f.filesOnStorage());
        }
        double[] times = new double[runs];
        List<Row> answer = null;
        IcebergBatchSql sql = IcebergBatchSql.open(spec, loader, log);
        // Untimed: the session's first query also starts its in-process cluster and warms the JIT.
        sql.rows(query);
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            List<Row> rows = sql.rows(query);
            times[r] = seconds(System.nanoTime() - t0);
            answer = rows;
        }
        Arrays.sort(times);
        figures.put(when + "_query_median_s", times[runs / 2]);
        figures.put(when + "_query_runs_s", Arrays.toString(times).replace(" ", ""));
        List<String> text = new ArrayList<>();
        answer.forEach(row -> text.add(row.toString()));
        text.sort(null);
        figures.put(when + "_answer", String.join(";", text).replace(" ", ""));
    }

    private static Table ensure(Catalog catalog, TableIdentifier id, HindsightTable table) {
        return IcebergTables.ensure(catalog, id.namespace(), table, id.name());
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }
}
