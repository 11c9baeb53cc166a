package io.hindsight.iceberg;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;

/**
 * Maps Hindsight's Avro records to the {@link RowData} Iceberg's sink writes, typed with the
 * table's row type so that Flink serializes the rows with its own RowData serializer (no Kryo).
 */
public final class ToRowData<T extends SpecificRecord>
        implements MapFunction<T, RowData>, ResultTypeQueryable<RowData> {

    private static final long serialVersionUID = 1L;

    private final AvroRowDataConverter converter;

    public ToRowData(HindsightTable table) {
        this.converter = new AvroRowDataConverter(Objects.requireNonNull(table, "table"));
    }

    @Override
    public RowData map(T record) {
        return converter.convert(record);
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return InternalTypeInfo.of(converter.table().rowType());
    }
}
