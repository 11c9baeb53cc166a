package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.HOUR;
import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.DataWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table reference read from a local Hadoop-catalog warehouse with Iceberg's generic reader. */
public class ReferenceProfilesTest {

    static final Namespace NS = Namespace.of("hindsight");
    static final TableIdentifier ID = TableIdentifier.of(NS, "fraud_predictions");

    @TempDir Path warehouse;

    static Record record(Table table, Prediction p) {
        GenericRecord r = GenericRecord.create(table.schema());
        r.setField("application", p.getApplication());
        r.setField("prediction_id", p.getPredictionId());
        r.setField("event_time", p.getEventTime().atOffset(ZoneOffset.UTC));
        r.setField("model_name", p.getModelName());
        r.setField("model_version", p.getModelVersion());
        r.setField("score", p.getScore());
        r.setField("scores", p.getScores());
        r.setField("predicted_class", p.getPredictedClass());
        r.setField("numeric_features", p.getNumericFeatures());
        r.setField("categorical_features", p.getCategoricalFeatures());
        r.setField("tags", p.getTags());
        r.setField("duplicate", p.getDuplicate());
        return r;
    }

    /** Appends {@code predictions} in one commit, one Parquet file per day partition. */
    public static void append(Table table, List<Prediction> predictions) throws Exception {
        GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        Map<PartitionKey, List<Record>> byDay = new LinkedHashMap<>();
        for (Prediction p : predictions) {
            Record r = record(table, p);
            PartitionKey key = new PartitionKey(table.spec(), table.schema());
            key.partition(wrapper.wrap(r));
            byDay.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        AppendFiles append = table.newAppend();
        for (Map.Entry<PartitionKey, List<Record>> day : byDay.entrySet()) {
            String location =
                    table.locationProvider()
                            .newDataLocation(
                                    table.spec(), day.getKey(), UUID.randomUUID() + ".parquet");
            DataWriter<Record> writer =
                    factory.newDataWriter(
                            EncryptedFiles.plainAsEncryptedOutput(
                                    table.io().newOutputFile(location)),
                            FileFormat.PARQUET,
                            day.getKey());
            try (writer) {
                day.getValue().forEach(writer::write);
            }
            append.appendFile(writer.toDataFile());
        }
        append.commit();
    }

    @Test
    void aTableReferenceIsTheProfileOfItsPredictionsBetweenFromAndTo() throws Exception {
        JobSpec spec = DriftTesting.rolling(2);
        CatalogLoader loader = IcebergCatalogs.localHadoop("hindsight", warehouse);
        Catalog catalog = loader.loadCatalog();
        Table table = IcebergTables.ensure(catalog, NS, HindsightTable.PREDICTIONS, ID.name());

        // Three days around [from, to): before, inside (with re-sent duplicates), after.
        Instant from = Instant.ofEpochMilli(T0);
        Instant to = Instant.ofEpochMilli(T0 + 24 * HOUR);
        Random random = new Random(8);
        List<Prediction> all = new ArrayList<>();
        List<Prediction> inside = new ArrayList<>();
        for (int i = 0; i < 180; i++) {
            long time = T0 - 24 * HOUR + i * (72 * HOUR / 180);
            Prediction p =
                    prediction(
                            "p" + i,
                            time,
                            i % 9 == 0 ? null : 100 + random.nextGaussian() * 10,
                            i % 3 == 0 ? "app" : "web",
                            random.nextDouble());
            all.add(p);
            if (time >= from.toEpochMilli() && time < to.toEpochMilli()) {
                inside.add(p);
                if (i % 10 == 0) {
                    all.add(Prediction.newBuilder(p).setDuplicate(true).build());
                }
            }
        }
        // The boundaries themselves: 'from' is in, 'to' is out.
        Prediction atFrom = prediction("at-from", T0, 1.0, "pos", 0.5);
        Prediction atTo = prediction("at-to", T0 + 24 * HOUR, 2.0, "pos", 0.5);
        all.add(atFrom);
        all.add(atTo);
        inside.add(atFrom);
        append(table, all.subList(0, 100));
        append(table, all.subList(100, all.size()));

        ReferenceProfile fromTable = ReferenceProfiles.fromTable(loader, ID, from, to, spec);

        ReferenceProfile expected = ReferenceProfile.build(inside, spec);
        assertThat(fromTable.predictions()).isEqualTo(inside.size());
        assertThat(fromTable.source())
                .isEqualTo("table hindsight.fraud_predictions [" + from + ", " + to + ")");
        for (String name : expected.targets()) {
            FeatureWindow x = expected.reference(name);
            FeatureWindow y = fromTable.reference(name);
            assertThat(y.predictions()).as(name).isEqualTo(x.predictions());
            assertThat(y.values()).as(name).isEqualTo(x.values());
            if (x.numericOrNull() != null) {
                // Fewer than k values: both sketches hold every value (in another order).
                assertThat(y.numericOrNull().sketch.getSortedView().getQuantiles())
                        .as(name)
                        .containsExactly(x.numericOrNull().sketch.getSortedView().getQuantiles());
            }
            if (x.categoriesOrNull() != null) {
                assertThat(y.categoriesOrNull().sorted()).isEqualTo(x.categoriesOrNull().sorted());
            }
        }
        assertThat(fromTable.reference("channel").categoriesOrNull().count("pos")).isEqualTo(1);
        fromTable.requireCovers(spec);

        // The spec's own table reference resolves to the same profile.
        JobSpec tableSpec =
                DriftTesting.spec("{type: table, from: '" + from + "', to: '" + to + "'}", "");
        assertThat(ReferenceProfiles.label(tableSpec)).isEqualTo("table:" + from + "/" + to);
        ReferenceProfile resolved = ReferenceProfiles.forSpec(tableSpec, loader);
        assertThat(resolved.predictions()).isEqualTo(inside.size());
        assertThat(resolved.reference("amount").values())
                .isEqualTo(expected.reference("amount").values());
        assertThatThrownBy(
                        () ->
                                ReferenceProfiles.fromTable(
                                        loader, TableIdentifier.of(NS, "missing"), from, to, spec))
                .hasMessage(
                        "drift reference table hindsight.missing does not exist in catalog"
                                + " 'hindsight'");
        assertThatThrownBy(() -> ReferenceProfiles.fromTable(loader, ID, to, from, spec))
                .hasMessage(
                        "drift reference table hindsight.fraud_predictions: 'from' ("
                                + to
                                + ") must be before 'to' ("
                                + from
                                + ")");
    }
}
