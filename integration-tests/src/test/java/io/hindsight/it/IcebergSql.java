package io.hindsight.it;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CollectionUtil;

/**
 * Flink SQL in batch mode over a Hadoop-catalog warehouse, as a data scientist would query
 * Hindsight's tables: catalog {@code c}, namespace {@code hindsight}, time zone UTC.
 */
final class IcebergSql {

    private final TableEnvironment tEnv;

    IcebergSql(Path warehouse) {
        tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.getConfig().set("table.local-time-zone", "UTC");
        tEnv.getConfig().set("parallelism.default", "2");
        tEnv.executeSql(
                "CREATE CATALOG c WITH ('type'='iceberg', 'catalog-type'='hadoop', 'warehouse'='"
                        + warehouse.toUri()
                        + "')");
        tEnv.executeSql("USE c.hindsight");
    }

    List<Row> query(String sql) {
        return CollectionUtil.iteratorToList(tEnv.executeSql(sql).collect());
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
