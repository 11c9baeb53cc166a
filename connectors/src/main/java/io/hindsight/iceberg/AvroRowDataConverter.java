package io.hindsight.iceberg;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.avro.generic.IndexedRecord;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Turns Avro records of one {@link HindsightTable} into Flink {@link RowData} of the table's row
 * type, with flink-avro's converters. Serializable, so it can travel inside a Flink function.
 *
 * <p>Fields are read by position: the row type is derived from the same Avro schema, so its fields
 * are the record's fields in the same order (checked when the converter is built).
 */
public final class AvroRowDataConverter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final HindsightTable table;
    private final AvroToRowDataConverters.AvroToRowDataConverter converter;

    public AvroRowDataConverter(HindsightTable table) {
        this.table = Objects.requireNonNull(table, "table");
        RowType rowType = table.rowType();
        List<String> avroFields =
                table.avroSchema().getFields().stream()
                        .map(org.apache.avro.Schema.Field::name)
                        .toList();
        if (!avroFields.equals(rowType.getFieldNames())) {
            throw new IllegalStateException(
                    String.format(
                            "%s: row type fields %s are not the Avro fields %s",
                            table, rowType.getFieldNames(), avroFields));
        }
        // legacyTimestampMapping = false: timestamp-millis is an instant (TIMESTAMP_LTZ), which
        // is what the table's timestamptz columns hold.
        this.converter = AvroToRowDataConverters.createRowConverter(rowType, false);
    }

    public HindsightTable table() {
        return table;
    }

    /** The row for {@code record}, which must be an instance of the table's record class. */
    public RowData convert(IndexedRecord record) {
        Objects.requireNonNull(record, "record");
        if (!table.recordClass().isInstance(record)) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s rows are made from %s, not %s",
                            table, table.recordClass().getName(), record.getClass().getName()));
        }
        return (RowData) converter.convert(record);
    }
}
