package io.hindsight.spark;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code SparkSqlReader WAREHOUSE_URI NAMESPACE SQL...}: Spark SQL (local, two threads) with
 * Iceberg's {@code SparkCatalog} named {@code hindsight} over a Hadoop-catalog warehouse, the
 * namespace as the current one; prints, for each statement, {@code <index>\tcolumns\t<names
 * separated by U+0001>}, its rows as {@code <index>\t<row as JSON>} lines, then {@code
 * <index>\tend}, on standard output.
 */
public final class SparkSqlReader {

    private SparkSqlReader() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: SparkSqlReader WAREHOUSE_URI NAMESPACE SQL...");
            System.exit(2);
        }
        SparkSession spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("hindsight-spark-reader")
                        .config("spark.ui.enabled", "false")
                        // Small tables on one machine: 200 shuffle partitions would be 200 tasks
                        // per join or aggregation.
                        .config("spark.sql.shuffle.partitions", "2")
                        .config("spark.sql.session.timeZone", "UTC")
                        .config(
                                "spark.sql.extensions",
                                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                        .config(
                                "spark.sql.catalog.hindsight",
                                "org.apache.iceberg.spark.SparkCatalog")
                        .config("spark.sql.catalog.hindsight.type", "hadoop")
                        .config("spark.sql.catalog.hindsight.warehouse", args[0])
                        .config("spark.sql.defaultCatalog", "hindsight")
                        .getOrCreate();
        try {
            // Catalog and namespace both: a bare "USE hindsight" would select the catalog.
            spark.sql("USE hindsight." + args[1]);
            for (int i = 2; i < args.length; i++) {
                Dataset<Row> result = spark.sql(args[i]);
                // JSON rows leave out null fields: the column names come first.
                System.out.println(
                        (i - 2) + "\tcolumns\t" + String.join("\u0001", result.columns()));
                List<String> rows = result.toJSON().collectAsList();
                for (String row : rows) {
                    System.out.println((i - 2) + "\t" + row);
                }
                System.out.println((i - 2) + "\tend");
            }
        } finally {
            spark.stop();
        }
    }
}
