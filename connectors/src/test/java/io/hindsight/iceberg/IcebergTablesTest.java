package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergTablesTest {

    private static final Namespace NS = Namespace.of("hindsight");
    private static final TableIdentifier OUTCOMES_ID = TableIdentifier.of(NS, "outcomes");

    @TempDir Path warehouse;
    private HadoopCatalog catalog;

    @BeforeEach
    void openCatalog() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
    }

    @Test
    void createsNamespaceAndTable() {
        Table table = IcebergTables.ensure(catalog, NS, HindsightTable.OUTCOMES, "outcomes");

        assertThat(catalog.namespaceExists(NS)).isTrue();
        assertThat(table.schema().asStruct())
                .isEqualTo(HindsightTable.OUTCOMES.schema().asStruct());
        assertThat(table.spec().fields()).hasSize(1);
        assertThat(table.spec().fields().get(0).name()).isEqualTo("prediction_time_day");
        assertThat(((HasTableOperations) table).operations().current().formatVersion())
                .isEqualTo(2);
        assertThat(table.properties())
                .containsEntry("write.format.default", "parquet")
                .containsEntry("write.upsert.enabled", "false")
                .containsEntry("commit.retry.num-retries", "10");
    }

    @Test
    void ensureIsIdempotent() {
        Table first = IcebergTables.ensure(catalog, NS, HindsightTable.PREDICTIONS, "predictions");
        Table second = IcebergTables.ensure(catalog, NS, HindsightTable.PREDICTIONS, "predictions");

        assertThat(second.schemas()).hasSize(1);
        assertThat(second.schema().schemaId()).isEqualTo(first.schema().schemaId());
        assertThat(((HasTableOperations) second).operations().current().metadataFileLocation())
                .isEqualTo(
                        ((HasTableOperations) first).operations().current().metadataFileLocation());
    }

    @Test
    void loadsTheTableWhenAnotherJobCreatedItFirst() {
        IcebergTables.ensure(catalog, NS, HindsightTable.OUTCOMES, "outcomes");
        // A catalog that still believes the table is missing, as the loser of a creation race.
        HadoopCatalog late =
                new HadoopCatalog(new Configuration(), warehouse.toUri().toString()) {
                    @Override
                    public boolean tableExists(TableIdentifier identifier) {
                        return false;
                    }
                };

        Table table = IcebergTables.ensure(late, NS, HindsightTable.OUTCOMES, "outcomes");

        assertThat(table.schema().asStruct())
                .isEqualTo(HindsightTable.OUTCOMES.schema().asStruct());
    }

    @Test
    void addsMissingOptionalColumnsInHindsightsOrder() {
        Schema older =
                new Schema(
                        HindsightTable.OUTCOMES.schema().columns().stream()
                                .filter(
                                        c ->
                                                !List.of(
                                                                "label_class",
                                                                "label_delay_ms",
                                                                "output_text")
                                                        .contains(c.name()))
                                .toList());
        catalog.createNamespace(NS);
        catalog.buildTable(OUTCOMES_ID, older)
                .withPartitionSpec(PartitionSpec.builderFor(older).day("prediction_time").build())
                .create();

        Table table = IcebergTables.ensure(catalog, NS, HindsightTable.OUTCOMES, "outcomes");

        Schema evolved = catalog.loadTable(OUTCOMES_ID).schema();
        assertThat(evolved.columns())
                .extracting(NestedField::name)
                .containsExactlyElementsOf(
                        HindsightTable.OUTCOMES.schema().columns().stream()
                                .map(NestedField::name)
                                .toList());
        assertThat(evolved.findField("label_delay_ms").type()).isEqualTo(Types.LongType.get());
        assertThat(evolved.findField("label_class").isOptional()).isTrue();
        assertThat(evolved.findField("label_delay_ms").doc())
                .isEqualTo("feedback_time - prediction_time.");
        assertThat(table.schema().sameSchema(evolved)).isTrue();
        assertThat(evolved.schemaId()).isEqualTo(1);
    }

    @Test
    void refusesAnIncompatibleTableNamingEveryDifference() {
        Schema incompatible =
                new Schema(
                        NestedField.required(1, "application", Types.StringType.get()),
                        NestedField.required(2, "feedback_id", Types.StringType.get()),
                        NestedField.required(3, "prediction_id", Types.StringType.get()),
                        NestedField.required(4, "event_time", Types.TimestampType.withZone()),
                        NestedField.optional(5, "label", Types.StringType.get()),
                        NestedField.required(6, "label_class", Types.StringType.get()),
                        NestedField.required(
                                7,
                                "attributes",
                                Types.MapType.ofOptional(
                                        12, 13, Types.StringType.get(), Types.StringType.get())),
                        NestedField.required(8, "kind", Types.StringType.get()),
                        NestedField.optional(9, "prediction_time", Types.TimestampType.withZone()),
                        NestedField.required(10, "reason", Types.StringType.get()),
                        NestedField.optional(11, "operator_note", Types.StringType.get()));
        catalog.createNamespace(NS);
        catalog.createTable(TableIdentifier.of(NS, "unmatched"), incompatible);

        assertThatThrownBy(
                        () ->
                                IcebergTables.ensure(
                                        catalog,
                                        NS,
                                        HindsightTable.UNMATCHED_FEEDBACK,
                                        "unmatched"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Iceberg table hindsight.unmatched does not match Hindsight's"
                                + " UNMATCHED_FEEDBACK schema: column 'label' has type string in"
                                + " the table, double in Hindsight's schema; column 'label_class'"
                                + " is required in the table, optional in Hindsight's schema;"
                                + " column 'attributes' has type map<string, string> in the table,"
                                + " map<string, string not null> in Hindsight's schema; column"
                                + " 'resolved_time' (timestamptz) is missing and required, so it"
                                + " cannot be added; column 'operator_note' (string) is not in"
                                + " Hindsight's schema (only missing optional columns are added"
                                + " automatically)");
        assertThat(catalog.loadTable(TableIdentifier.of(NS, "unmatched")).schemas()).hasSize(1);
    }

    @Test
    void tablePropertiesAreTheDocumentedOnes() {
        assertThat(IcebergTables.TABLE_PROPERTIES)
                .containsAllEntriesOf(
                        Map.of(
                                "format-version", "2",
                                "write.format.default", "parquet",
                                "write.upsert.enabled", "false"));
    }
}
