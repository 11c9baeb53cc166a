package io.hindsight.iceberg;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.TypeUtil;

/**
 * The Iceberg tables Hindsight writes: for each, the Avro record it is written from, its Iceberg
 * schema (derived from the Avro schema) and its partition spec (day of the event time; for drift,
 * metrics and discovered slices, of the window's start).
 */
public enum HindsightTable {
    PREDICTIONS("predictions", Prediction.class, Prediction.getClassSchema(), "event_time"),
    OUTCOMES("outcomes", Outcome.class, Outcome.getClassSchema(), "prediction_time"),
    UNMATCHED_FEEDBACK(
            "unmatched_feedback",
            UnmatchedFeedback.class,
            UnmatchedFeedback.getClassSchema(),
            "event_time"),
    DRIFT("drift", DriftResult.class, DriftResult.getClassSchema(), "window_start"),
    METRICS("metrics", SliceMetric.class, SliceMetric.getClassSchema(), "window_start"),
    ALERTS("alerts", Alert.class, Alert.getClassSchema(), "event_time"),
    DISCOVERED_SLICES(
            "discovered_slices",
            DiscoveredSlice.class,
            DiscoveredSlice.getClassSchema(),
            "window_start"),
    /** One table per curation rule, {@code <app>_curated_<rule>}. */
    CURATED("curated", CuratedRecord.class, CuratedRecord.getClassSchema(), "period_start");

    private final String defaultTableName;
    private final Class<? extends SpecificRecord> recordClass;
    private final org.apache.avro.Schema avroSchema;
    private final String partitionColumn;
    private final Schema schema;
    private final PartitionSpec spec;

    HindsightTable(
            String defaultTableName,
            Class<? extends SpecificRecord> recordClass,
            org.apache.avro.Schema avroSchema,
            String partitionColumn) {
        this.defaultTableName = defaultTableName;
        this.recordClass = recordClass;
        this.avroSchema = avroSchema;
        this.partitionColumn = partitionColumn;
        this.schema = icebergSchema(avroSchema);
        this.spec = PartitionSpec.builderFor(schema).day(partitionColumn).build();
    }

    /** The table's name when the spec does not name it. */
    public String defaultTableName() {
        return defaultTableName;
    }

    /** The Avro SpecificRecord class whose instances become this table's rows. */
    public Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    public org.apache.avro.Schema avroSchema() {
        return avroSchema;
    }

    /** The Iceberg schema, with field ids 1..n assigned the same way on every run. */
    public Schema schema() {
        return schema;
    }

    /** {@code day(partitionColumn)}. */
    public PartitionSpec spec() {
        return spec;
    }

    /** The timestamp column the table is partitioned by (by day). */
    public String partitionColumn() {
        return partitionColumn;
    }

    /** The Flink row type of the table's rows, as Iceberg's Flink sink expects them. */
    public RowType rowType() {
        return FlinkSchemaUtil.convert(schema);
    }

    /**
     * Converts with Iceberg's own Avro converter. Two adjustments happen on a private copy of the
     * Avro schema first: every {@code timestamp-millis}/{@code timestamp-micros} is marked {@code
     * adjust-to-utc: true}, because AvroSchemaUtil maps unmarked timestamps to Iceberg {@code
     * timestamp} (without zone) while Hindsight's timestamps are instants; and ids are reassigned
     * from 1 in schema order (AvroSchemaUtil starts at 0), which is also what a catalog assigns
     * when it creates the table.
     */
    static Schema icebergSchema(org.apache.avro.Schema avroSchema) {
        org.apache.avro.Schema copy =
                new org.apache.avro.Schema.Parser().parse(avroSchema.toString());
        markTimestampsUtc(copy, new IdentityHashMap<>());
        Schema converted = AvroSchemaUtil.toIceberg(copy);
        AtomicInteger lastId = new AtomicInteger();
        return TypeUtil.assignFreshIds(converted, lastId::incrementAndGet);
    }

    private static void markTimestampsUtc(
            org.apache.avro.Schema schema, Map<org.apache.avro.Schema, Boolean> visited) {
        if (visited.put(schema, Boolean.TRUE) != null) {
            return;
        }
        switch (schema.getType()) {
            case RECORD:
                schema.getFields().forEach(field -> markTimestampsUtc(field.schema(), visited));
                break;
            case UNION:
                schema.getTypes().forEach(branch -> markTimestampsUtc(branch, visited));
                break;
            case ARRAY:
                markTimestampsUtc(schema.getElementType(), visited);
                break;
            case MAP:
                markTimestampsUtc(schema.getValueType(), visited);
                break;
            case LONG:
                LogicalType logicalType = schema.getLogicalType();
                if ((logicalType instanceof LogicalTypes.TimestampMillis
                                || logicalType instanceof LogicalTypes.TimestampMicros)
                        && schema.getObjectProp(AvroSchemaUtil.ADJUST_TO_UTC_PROP) == null) {
                    schema.addProp(AvroSchemaUtil.ADJUST_TO_UTC_PROP, true);
                }
                break;
            default:
                break;
        }
    }
}
