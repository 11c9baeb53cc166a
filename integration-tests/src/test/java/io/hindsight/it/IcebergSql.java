package io.hindsight.it;

import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.IcebergCatalogs;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * Flink SQL in batch mode over a Hadoop-catalog warehouse, as a data scientist would query
 * Hindsight's tables: catalog {@code c}, namespace {@code hindsight}, the session {@link
 * IcebergBatchSql} configures for the command line and the demo.
 */
final class IcebergSql {

    private final IcebergBatchSql sql;

    IcebergSql(Path warehouse) {
        sql =
                IcebergBatchSql.open(
                        "c",
                        IcebergCatalogs.localHadoop("c", warehouse),
                        "hindsight",
                        Path.of("target", "failsafe-reports"));
    }

    List<Row> query(String sql) {
        return this.sql.rows(sql);
    }

    /** A query that returns one row of one number. */
    long number(String sql) {
        List<Row> rows = query(sql);
        if (rows.size() != 1 || rows.get(0).getArity() != 1) {
            throw new IllegalStateException("expected one number from " + sql + ", got " + rows);
        }
        Object v = rows.get(0).getField(0);
        return v == null ? 0 : ((Number) v).longValue();
    }
}
