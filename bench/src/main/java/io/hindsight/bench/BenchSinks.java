package io.hindsight.bench;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergSinks;
import io.hindsight.jobs.JoinSinks;
import io.hindsight.jobs.MonitoringSinks;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import java.nio.file.Path;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The benchmarks' sinks: every stream discarded, or Hindsight's tables written with {@link
 * IcebergSinks} into a local Hadoop catalog (as production, without the Kafka topics).
 */
public final class BenchSinks implements JoinSinks, MonitoringSinks {

    public static final String NAMESPACE = "bench";

    private final CatalogLoader catalog;
    private final int parallelism;
    private final Path dump;

    /** {@code catalog} null: discard everything. */
    public BenchSinks(CatalogLoader catalog, int parallelism) {
        this(catalog, parallelism, null);
    }

    /**
     * {@code dump} not null: every table's rows as canonical text lines under it ({@link RowDump}).
     */
    BenchSinks(CatalogLoader catalog, int parallelism, Path dump) {
        this.catalog = catalog;
        this.parallelism = parallelism;
        this.dump = dump;
    }

    public static <T> void discard(DataStream<T> stream, String uid) {
        stream.sinkTo(new DiscardingSink<>()).uid(uid).name(uid);
    }

    public <T extends SpecificRecord> void table(
            DataStream<T> stream, HindsightTable table, String uid) {
        if (dump != null) {
            stream.sinkTo(new RowDump.LinesSink<>(dump, table.defaultTableName()))
                    .uid(uid + "-dump")
                    .name(uid + "-dump");
            return;
        }
        if (catalog == null) {
            discard(stream, uid + "-discard");
            return;
        }
        IcebergSinks.append(
                stream,
                table,
                catalog,
                TableIdentifier.of(Namespace.of(NAMESPACE), table.defaultTableName()),
                uid,
                parallelism);
    }

    @Override
    public void predictions(DataStream<Prediction> predictions) {
        table(predictions, HindsightTable.PREDICTIONS, "predictions-table");
    }

    @Override
    public void outcomes(DataStream<Outcome> outcomes) {
        table(outcomes, HindsightTable.OUTCOMES, "outcomes-table");
    }

    @Override
    public void unmatched(DataStream<UnmatchedFeedback> unmatched) {
        table(unmatched, HindsightTable.UNMATCHED_FEEDBACK, "unmatched-feedback-table");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        discard(deadLetters, "dead-letters-discard");
    }

    @Override
    public void drift(DataStream<DriftResult> drift) {
        table(drift, HindsightTable.DRIFT, "drift-table");
    }

    @Override
    public void metrics(DataStream<SliceMetric> metrics) {
        table(metrics, HindsightTable.METRICS, "metrics-table");
    }

    @Override
    public void discoveredSlices(DataStream<DiscoveredSlice> slices) {
        table(slices, HindsightTable.DISCOVERED_SLICES, "discovered-slices-table");
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        table(alerts, HindsightTable.ALERTS, "alerts-table");
    }
}
