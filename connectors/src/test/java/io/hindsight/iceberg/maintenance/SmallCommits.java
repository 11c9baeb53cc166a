package io.hindsight.iceberg.maintenance;

import io.hindsight.iceberg.HindsightTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * Writes rows of the predictions table as a streaming job does between two checkpoints: one small
 * Parquet file per commit, appended by its own snapshot.
 */
final class SmallCommits {

    private SmallCommits() {}

    /** Prediction row {@code i}: event time {@code day0 + 2i minutes}, models v6 and v7. */
    static Record prediction(Table table, long i, Instant day0) {
        GenericRecord r = GenericRecord.create(table.schema());
        r.setField("application", "fraud");
        r.setField("prediction_id", "p-" + i);
        r.setField(
                "event_time", OffsetDateTime.ofInstant(day0.plusSeconds(120 * i), ZoneOffset.UTC));
        r.setField("model_name", "fraud-gbt");
        r.setField("model_version", i % 3 == 0 ? "v6" : "v7");
        r.setField("score", (i % 100) / 100.0);
        r.setField("numeric_features", Map.of("account_age_days", (double) (i % 90)));
        r.setField("categorical_features", Map.of("channel", i % 2 == 0 ? "web" : "app"));
        r.setField("tags", Map.of("country", i % 5 == 0 ? "BR" : "DE"));
        r.setField("duplicate", false);
        return r;
    }

    /** Appends {@code rows} (all of one day) as one data file in one commit; returns the file. */
    static DataFile commit(Table table, List<Record> rows, int commitNumber) {
        if (!HindsightTable.PREDICTIONS.schema().sameSchema(table.schema())) {
            throw new IllegalArgumentException("not a predictions table: " + table.name());
        }
        PartitionKey key = new PartitionKey(table.spec(), table.schema());
        key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(rows.get(0)));
        EncryptedOutputFile out =
                OutputFileFactory.builderFor(table, 1, commitNumber)
                        .format(FileFormat.PARQUET)
                        .build()
                        .newOutputFile(key);
        DataWriter<Record> writer =
                new GenericAppenderFactory(table.schema(), table.spec())
                        .newDataWriter(out, FileFormat.PARQUET, key);
        try (writer) {
            for (Record r : rows) {
                writer.write(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataFile file = writer.toDataFile();
        table.newFastAppend().appendFile(file).commit();
        return file;
    }
}
