package io.hindsight.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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
 * Writes the predictions and outcomes tables as the job does between two checkpoints, without the
 * job: each commit appends the rows of one checkpoint interval as one small Parquet file per day
 * partition, in its own snapshot. Row {@code i} is a pure function of {@code i} and the start.
 */
final class SmallCommitWriter {

    private SmallCommitWriter() {}

    static Record prediction(Table table, long i, Instant eventTime) {
        GenericRecord r = GenericRecord.create(table.schema());
        r.setField("application", "fraud");
        r.setField("prediction_id", "p-" + i);
        r.setField("event_time", OffsetDateTime.ofInstant(eventTime, ZoneOffset.UTC));
        r.setField("model_name", "fraud-gbt");
        r.setField("model_version", i % 3 == 0 ? "v6" : "v7");
        r.setField("score", (i * 7919 % 1000) / 1000.0);
        r.setField(
                "numeric_features",
                Map.of("account_age_days", (double) (i % 365), "amount", (double) (i % 5000)));
        r.setField("categorical_features", Map.of("channel", i % 2 == 0 ? "web" : "app"));
        r.setField("tags", Map.of("country", i % 5 == 0 ? "BR" : "DE"));
        r.setField("duplicate", false);
        return r;
    }

    /**
     * The final outcome of prediction {@code i}: labelled a day later, every tenth a chargeback.
     */
    static Record outcome(Table table, long i, Instant predictionTime) {
        GenericRecord r = GenericRecord.create(table.schema());
        Instant feedback = predictionTime.plusSeconds(86_400);
        r.setField("application", "fraud");
        r.setField("prediction_id", "p-" + i);
        r.setField("prediction_time", OffsetDateTime.ofInstant(predictionTime, ZoneOffset.UTC));
        r.setField("model_name", "fraud-gbt");
        r.setField("model_version", i % 3 == 0 ? "v6" : "v7");
        r.setField("score", (i * 7919 % 1000) / 1000.0);
        r.setField(
                "numeric_features",
                Map.of("account_age_days", (double) (i % 365), "amount", (double) (i % 5000)));
        r.setField("categorical_features", Map.of("channel", i % 2 == 0 ? "web" : "app"));
        r.setField("tags", Map.of("country", i % 5 == 0 ? "BR" : "DE"));
        r.setField("status", "LABELED");
        r.setField("policy", "first");
        r.setField("revision", 1);
        r.setField("is_final", true);
        r.setField("feedback_count", 1);
        r.setField("feedback_id", "f-" + i);
        r.setField("feedback_time", OffsetDateTime.ofInstant(feedback, ZoneOffset.UTC));
        r.setField("label", i % 10 == 0 ? 1.0 : 0.0);
        r.setField("label_delay_ms", 86_400_000L);
        r.setField("resolved_time", OffsetDateTime.ofInstant(feedback, ZoneOffset.UTC));
        return r;
    }

    /**
     * Appends {@code rows} in one commit, one data file per day partition they fall in (as the
     * sink's writer does: a checkpoint interval that spans midnight writes two files).
     */
    static void commit(Table table, List<Record> rows, int commitNumber) {
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        Map<PartitionKey, List<Record>> byPartition = new java.util.LinkedHashMap<>();
        for (Record r : rows) {
            PartitionKey key = new PartitionKey(table.spec(), table.schema());
            key.partition(wrapper.wrap(r));
            byPartition.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(r);
        }
        OutputFileFactory files =
                OutputFileFactory.builderFor(table, 1, commitNumber)
                        .format(FileFormat.PARQUET)
                        .build();
        org.apache.iceberg.AppendFiles append = table.newFastAppend();
        for (Map.Entry<PartitionKey, List<Record>> e : byPartition.entrySet()) {
            EncryptedOutputFile out = files.newOutputFile(e.getKey());
            DataWriter<Record> writer =
                    new GenericAppenderFactory(table.schema(), table.spec())
                            .newDataWriter(out, FileFormat.PARQUET, e.getKey());
            try (writer) {
                for (Record r : e.getValue()) {
                    writer.write(r);
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            append.appendFile(writer.toDataFile());
        }
        append.commit();
    }
}
