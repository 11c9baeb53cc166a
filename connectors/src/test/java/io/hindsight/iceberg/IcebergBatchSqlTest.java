package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergBatchSqlTest {

    /** A property a catalog would carry a credential in; a Hadoop catalog ignores it. */
    private static final String SECRET = "s3cr3t-t0ken-value";

    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, "id", Types.LongType.get()),
                    Types.NestedField.required(2, "grp", Types.StringType.get()),
                    Types.NestedField.required(3, "s", Types.StringType.get()));

    /** One file per commit, as a job committing every checkpoint writes them. */
    private static final int COMMITS = 100;

    private static final int ROWS_PER_COMMIT = 3;

    @TempDir static Path dir;

    private static IcebergBatchSql sql;
    private static Path log;

    @BeforeAll
    static void tableOfManySmallCommits() throws IOException {
        CatalogLoader loader =
                IcebergCatalogs.loader(
                        "lake", Map.of("type", "hadoop", "x-api-token", SECRET), dir.resolve("w"));
        Catalog catalog = loader.loadCatalog();
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("ns"));
        Table t = catalog.createTable(TableIdentifier.of("ns", "t"), SCHEMA);
        GenericAppenderFactory files = new GenericAppenderFactory(SCHEMA);
        for (int c = 0; c < COMMITS; c++) {
            OutputFile out =
                    t.io().newOutputFile(t.locationProvider().newDataLocation(c + ".parquet"));
            FileAppender<Record> appender = files.newAppender(out, FileFormat.PARQUET);
            try (appender) {
                for (int r = 0; r < ROWS_PER_COMMIT; r++) {
                    Record rec = GenericRecord.create(SCHEMA);
                    long id = (long) c * ROWS_PER_COMMIT + r;
                    rec.setField("id", id);
                    rec.setField("grp", "g" + (id % 7));
                    rec.setField("s", c == COMMITS - 1 && r == 0 ? "not a number" : "" + id);
                    appender.add(rec);
                }
            }
            DataFile file =
                    DataFiles.builder(PartitionSpec.unpartitioned())
                            .withPath(out.location())
                            .withFormat(FileFormat.PARQUET)
                            .withFileSizeInBytes(appender.length())
                            .withMetrics(appender.metrics())
                            .build();
            t.newAppend().appendFile(file).commit();
        }
        log = dir.resolve("logs").resolve("hindsight.log");
        sql = IcebergBatchSql.open("lake", loader, "ns", log);
    }

    @Test
    void everyOperatorRunsWithTheFixedParallelismHoweverManyFilesTheTableHas() throws Exception {
        String plan =
                sql.tableEnvironment()
                        .explainSql(
                                "SELECT a.grp, count(*), count(DISTINCT b.id) FROM t a"
                                        + " JOIN t b ON a.id = b.id GROUP BY a.grp",
                                ExplainDetail.JSON_EXECUTION_PLAN);
        String json = plan.substring(plan.indexOf("{\n  \"nodes\""));
        List<Integer> parallelisms = new ArrayList<>();
        for (JsonNode node : new ObjectMapper().readTree(json).get("nodes")) {
            parallelisms.add(node.get("parallelism").asInt());
        }
        // Iceberg would infer a wider scan from the table's 100 files (4 splits at Iceberg's
        // default open-file cost), and the in-process cluster would get as many slots.
        assertThat(parallelisms).isNotEmpty().containsOnly(IcebergBatchSql.PARALLELISM);
    }

    @Test
    void aJoinWithAggregatesOverManySmallFilesAgreesWithCountingTheRows() {
        List<Row> rows =
                sql.rows(
                        "SELECT a.grp, count(*) AS n, sum(b.id) AS total FROM t a"
                                + " JOIN t b ON a.id = b.id GROUP BY a.grp ORDER BY a.grp");

        long ids = (long) COMMITS * ROWS_PER_COMMIT;
        List<Row> expected = new ArrayList<>();
        for (int g = 0; g < 7; g++) {
            long n = 0;
            long total = 0;
            for (long id = 0; id < ids; id++) {
                if (id % 7 == g) {
                    n++;
                    total += id;
                }
            }
            expected.add(Row.of("g" + g, n, total));
        }
        assertThat(rows).containsExactlyElementsOf(expected);
    }

    @Test
    void printShowsTheTableAndReturnsItsRowCount() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long n;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            n = sql.print("SELECT grp FROM t WHERE id < 2 ORDER BY id", out);
        }

        assertThat(n).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        """
                        +-----+
                        | grp |
                        +-----+
                        |  g0 |
                        |  g1 |
                        +-----+
                        2 rows in set
                        """);
    }

    @Test
    void aQueryThePlannerRejectsFailsWithItsReasonAndTheLogOnOneLine() {
        assertThatThrownBy(() -> sql.rows("SELECT nosuch FROM t"))
                .isInstanceOf(SqlQueryException.class)
                .hasMessage(
                        "query failed: SQL validation failed. From line 1, column 8 to line 1,"
                                + " column 13: Column 'nosuch' not found in any table (full log: "
                                + log
                                + ")");
    }

    @Test
    void aQueryThatFailsWhileRunningNamesTheInnermostCauseOnOneLine() {
        assertThatThrownBy(() -> sql.rows("SELECT sum(CAST(s AS INT)) FROM t"))
                .isInstanceOf(SqlQueryException.class)
                .hasMessage(
                        "query failed while running: NumberFormatException: For input string:"
                                + " 'not a number'. Invalid character found. (full log: "
                                + log
                                + ")");
    }

    @Test
    void theCatalogsPropertiesAppearInNoTableOptionAndNoError() throws Exception {
        CatalogBaseTable table =
                sql.tableEnvironment()
                        .getCatalog("lake")
                        .orElseThrow()
                        .getTable(new ObjectPath("ns", "t"));
        assertThat(table.getOptions().toString()).doesNotContain(SECRET);
        assertThat(sql.tableEnvironment().explainSql("SELECT * FROM t")).doesNotContain(SECRET);

        for (String failing :
                List.of("SELECT nosuch FROM t", "SELECT sum(CAST(s AS INT)) FROM t")) {
            assertThatThrownBy(() -> sql.rows(failing))
                    .isInstanceOf(SqlQueryException.class)
                    .satisfies(
                            e ->
                                    assertThat(ExceptionUtils.stringifyException(e))
                                            .doesNotContain(SECRET));
        }
    }
}
