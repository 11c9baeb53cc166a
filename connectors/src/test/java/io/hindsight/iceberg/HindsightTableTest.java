package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HindsightTableTest {

    private static final Type STRING = Types.StringType.get();
    private static final Type DOUBLE = Types.DoubleType.get();
    private static final Type TIMESTAMPTZ = Types.TimestampType.withZone();

    private static Type mapOf(int keyId, int valueId, Type value) {
        return Types.MapType.ofRequired(keyId, valueId, STRING, value);
    }

    private static Type listOf(int elementId, Type element) {
        return Types.ListType.ofRequired(elementId, element);
    }

    private static Tuple required(int id, String name, Type type) {
        return tuple(id, name, false, type);
    }

    private static Tuple optional(int id, String name, Type type) {
        return tuple(id, name, true, type);
    }

    private static void assertColumns(Schema schema, Tuple... expected) {
        assertThat(schema.columns())
                .extracting(
                        NestedField::fieldId,
                        NestedField::name,
                        NestedField::isOptional,
                        NestedField::type)
                .containsExactly(expected);
    }

    @Test
    void predictionsSchema() {
        assertColumns(
                HindsightTable.PREDICTIONS.schema(),
                required(1, "application", STRING),
                required(2, "prediction_id", STRING),
                required(3, "event_time", TIMESTAMPTZ),
                required(4, "model_name", STRING),
                required(5, "model_version", STRING),
                optional(6, "score", DOUBLE),
                optional(7, "scores", mapOf(16, 17, DOUBLE)),
                optional(8, "predicted_class", STRING),
                optional(9, "predicted_value", DOUBLE),
                optional(10, "ranked_items", listOf(18, STRING)),
                optional(11, "output_text", STRING),
                required(12, "numeric_features", mapOf(19, 20, DOUBLE)),
                required(13, "categorical_features", mapOf(21, 22, STRING)),
                required(14, "tags", mapOf(23, 24, STRING)),
                required(15, "duplicate", Types.BooleanType.get()));
    }

    @Test
    void outcomesSchema() {
        assertColumns(
                HindsightTable.OUTCOMES.schema(),
                required(1, "application", STRING),
                required(2, "prediction_id", STRING),
                required(3, "prediction_time", TIMESTAMPTZ),
                required(4, "model_name", STRING),
                required(5, "model_version", STRING),
                optional(6, "score", DOUBLE),
                optional(7, "scores", mapOf(26, 27, DOUBLE)),
                optional(8, "predicted_class", STRING),
                optional(9, "predicted_value", DOUBLE),
                optional(10, "ranked_items", listOf(28, STRING)),
                optional(11, "output_text", STRING),
                required(12, "numeric_features", mapOf(29, 30, DOUBLE)),
                required(13, "categorical_features", mapOf(31, 32, STRING)),
                required(14, "tags", mapOf(33, 34, STRING)),
                required(15, "status", STRING),
                required(16, "policy", STRING),
                required(17, "revision", Types.IntegerType.get()),
                required(18, "is_final", Types.BooleanType.get()),
                required(19, "feedback_count", Types.IntegerType.get()),
                optional(20, "feedback_id", STRING),
                optional(21, "feedback_time", TIMESTAMPTZ),
                optional(22, "label", DOUBLE),
                optional(23, "label_class", STRING),
                optional(24, "label_delay_ms", Types.LongType.get()),
                required(25, "resolved_time", TIMESTAMPTZ));
    }

    @Test
    void unmatchedFeedbackSchema() {
        assertColumns(
                HindsightTable.UNMATCHED_FEEDBACK.schema(),
                required(1, "application", STRING),
                required(2, "feedback_id", STRING),
                required(3, "prediction_id", STRING),
                required(4, "event_time", TIMESTAMPTZ),
                optional(5, "label", DOUBLE),
                optional(6, "label_class", STRING),
                required(7, "attributes", mapOf(12, 13, STRING)),
                required(8, "kind", STRING),
                optional(9, "prediction_time", TIMESTAMPTZ),
                required(10, "reason", STRING),
                required(11, "resolved_time", TIMESTAMPTZ));
    }

    @Test
    void columnDocsComeFromTheAvroSchema() {
        assertThat(HindsightTable.OUTCOMES.schema().findField("is_final").doc())
                .isEqualTo("This row will never be revised.");
    }

    @ParameterizedTest
    @EnumSource(HindsightTable.class)
    void partitionedByDayOfEventTime(HindsightTable table) {
        String expectedColumn =
                switch (table) {
                    case PREDICTIONS, UNMATCHED_FEEDBACK, ALERTS -> "event_time";
                    case OUTCOMES -> "prediction_time";
                    case DRIFT, METRICS, DISCOVERED_SLICES -> "window_start";
                    case CURATED -> "period_start";
                };
        List<PartitionField> fields = table.spec().fields();
        assertThat(fields).hasSize(1);
        assertThat(fields.get(0).transform().toString()).isEqualTo("day");
        assertThat(table.schema().findColumnName(fields.get(0).sourceId()))
                .isEqualTo(expectedColumn);
    }

    @ParameterizedTest
    @EnumSource(HindsightTable.class)
    void idsAreTheSameOnEveryDerivation(HindsightTable table) {
        Schema again = HindsightTable.icebergSchema(table.avroSchema());
        assertThat(again.sameSchema(table.schema())).isTrue();
        assertThat(again.asStruct()).isEqualTo(table.schema().asStruct());
    }

    @ParameterizedTest
    @EnumSource(HindsightTable.class)
    void derivationLeavesTheRecordClassSchemaAlone(HindsightTable table) {
        assertThat(table.avroSchema().toString()).doesNotContain("adjust-to-utc");
    }

    @ParameterizedTest
    @EnumSource(HindsightTable.class)
    void rowTypeHasTimestampLtzAndTheAvroFieldOrder(HindsightTable table) {
        RowType rowType = table.rowType();
        assertThat(rowType.getFieldNames())
                .containsExactlyElementsOf(
                        table.avroSchema().getFields().stream()
                                .map(org.apache.avro.Schema.Field::name)
                                .toList());
        assertThat(rowType.getTypeAt(rowType.getFieldIndex(table.partitionColumn())).getTypeRoot())
                .isEqualTo(LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE);
    }
}
