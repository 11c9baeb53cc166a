package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroRowDataConverterTest {

    static Stream<Arguments> records() {
        return Stream.of(
                Arguments.of(HindsightTable.PREDICTIONS, TestingRecords.fullPrediction()),
                Arguments.of(HindsightTable.PREDICTIONS, TestingRecords.minimalPrediction()),
                Arguments.of(HindsightTable.OUTCOMES, TestingRecords.fullOutcome()),
                Arguments.of(HindsightTable.OUTCOMES, TestingRecords.minimalOutcome()),
                Arguments.of(HindsightTable.UNMATCHED_FEEDBACK, TestingRecords.fullUnmatched()),
                Arguments.of(HindsightTable.UNMATCHED_FEEDBACK, TestingRecords.minimalUnmatched()));
    }

    @ParameterizedTest
    @MethodSource("records")
    void everyFieldReadsBackEqual(HindsightTable table, SpecificRecord record) throws Exception {
        // Through Java serialization, as the converter travels to the task managers.
        AvroRowDataConverter converter = InstantiationUtil.clone(new AvroRowDataConverter(table));
        RowType rowType = table.rowType();

        RowData row = converter.convert(record);

        assertThat(row.getArity()).isEqualTo(rowType.getFieldCount());
        for (int i = 0; i < rowType.getFieldCount(); i++) {
            assertThat(read(row, i, rowType.getTypeAt(i)))
                    .as(rowType.getFieldNames().get(i))
                    .isEqualTo(expected(record.get(i)));
        }
    }

    @Test
    void outcomeValuesSpotChecked() {
        RowData row =
                new AvroRowDataConverter(HindsightTable.OUTCOMES)
                        .convert(TestingRecords.fullOutcome());
        RowType rowType = HindsightTable.OUTCOMES.rowType();

        assertThat(row.getTimestamp(rowType.getFieldIndex("prediction_time"), 6).getMillisecond())
                .isEqualTo(Instant.parse("2026-03-01T10:15:30.123Z").toEpochMilli());
        assertThat(row.getString(rowType.getFieldIndex("status")).toString()).isEqualTo("LABELED");
        assertThat(row.getLong(rowType.getFieldIndex("label_delay_ms"))).isEqualTo(3_600_000L);
        MapData features = row.getMap(rowType.getFieldIndex("numeric_features"));
        assertThat(features.size()).isEqualTo(2);
        assertThat(row.getArray(rowType.getFieldIndex("ranked_items")).getString(1).toString())
                .isEqualTo("a");
    }

    @Test
    void minimalOutcomeHasNullsAndEmptyMaps() {
        RowData row =
                new AvroRowDataConverter(HindsightTable.OUTCOMES)
                        .convert(TestingRecords.minimalOutcome());
        RowType rowType = HindsightTable.OUTCOMES.rowType();

        for (String column :
                List.of(
                        "score",
                        "scores",
                        "ranked_items",
                        "feedback_time",
                        "label",
                        "label_class")) {
            assertThat(row.isNullAt(rowType.getFieldIndex(column))).as(column).isTrue();
        }
        assertThat(row.getMap(rowType.getFieldIndex("tags")).size()).isZero();
        assertThat(row.getString(rowType.getFieldIndex("status")).toString()).isEqualTo("EXPIRED");
    }

    @Test
    void refusesARecordOfAnotherTable() {
        AvroRowDataConverter converter = new AvroRowDataConverter(HindsightTable.OUTCOMES);

        assertThatThrownBy(() -> converter.convert(TestingRecords.fullPrediction()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "OUTCOMES rows are made from io.hindsight.schemas.Outcome, not"
                                + " io.hindsight.schemas.Prediction");
    }

    @Test
    void toRowDataIsTypedWithFlinksRowDataSerializer() throws Exception {
        ToRowData<Prediction> toRowData =
                InstantiationUtil.clone(new ToRowData<Prediction>(HindsightTable.PREDICTIONS));

        TypeInformation<RowData> type = toRowData.getProducedType();
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<RowData> serializer = type.createSerializer(config);

        assertThat(serializer).isInstanceOf(RowDataSerializer.class);
        RowData row = toRowData.map(TestingRecords.fullPrediction());
        assertThat(row.getString(1).toString()).isEqualTo("p-1");
        assertThat(row.getBoolean(14)).isTrue();
    }

    @Test
    void toRowDataOfOutcomes() {
        ToRowData<Outcome> toRowData = new ToRowData<>(HindsightTable.OUTCOMES);

        assertThat(toRowData.map(TestingRecords.minimalOutcome()).getInt(16)).isEqualTo(1);
    }

    /** A RowData field as a plain Java value, by the field's logical type. */
    private static Object read(RowData row, int pos, LogicalType type) {
        if (row.isNullAt(pos)) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case VARCHAR, CHAR -> row.getString(pos).toString();
            case DOUBLE -> row.getDouble(pos);
            case INTEGER -> row.getInt(pos);
            case BIGINT -> row.getLong(pos);
            case BOOLEAN -> row.getBoolean(pos);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> row.getTimestamp(pos, 6).toInstant();
            case MAP -> readMap(row.getMap(pos), (MapType) type);
            case ARRAY -> readArray(row.getArray(pos), (ArrayType) type);
            default -> throw new AssertionError("type not expected in Hindsight tables: " + type);
        };
    }

    private static Map<String, Object> readMap(MapData map, MapType type) {
        Map<String, Object> result = new HashMap<>();
        ArrayData keys = map.keyArray();
        ArrayData values = map.valueArray();
        for (int i = 0; i < map.size(); i++) {
            Object value =
                    switch (type.getValueType().getTypeRoot()) {
                        case DOUBLE -> values.getDouble(i);
                        case VARCHAR -> values.getString(i).toString();
                        default -> throw new AssertionError("map value " + type);
                    };
            result.put(keys.getString(i).toString(), value);
        }
        return result;
    }

    private static List<String> readArray(ArrayData array, ArrayType type) {
        assertThat(type.getElementType().getTypeRoot().name()).isEqualTo("VARCHAR");
        List<String> result = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            result.add(array.getString(i).toString());
        }
        return result;
    }

    /** The record's value as the table holds it: enums by name, maps as plain maps. */
    private static Object expected(Object value) {
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Map<?, ?> m) {
            return new HashMap<>(m);
        }
        return value;
    }
}
