package io.hindsight.bench.alternatives;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The join as a user of Flink SQL would write it: an event-time interval LEFT JOIN of predictions
 * with feedback from one hour before to 60 days after the prediction. The benchmark's baseline (c),
 * not used by Hindsight. Rows carry the same prediction payload the feedback join keeps.
 */
public final class SqlIntervalJoin {

    static final String[] PREDICTION_FIELDS = {
        "application",
        "prediction_id",
        "event_ms",
        "model_name",
        "model_version",
        "score",
        "numeric_features",
        "categorical_features",
        "tags"
    };
    static final TypeInformation<Row> PREDICTION_ROW =
            Types.ROW_NAMED(
                    PREDICTION_FIELDS,
                    Types.STRING,
                    Types.STRING,
                    Types.LONG,
                    Types.STRING,
                    Types.STRING,
                    Types.DOUBLE,
                    Types.MAP(Types.STRING, Types.DOUBLE),
                    Types.MAP(Types.STRING, Types.STRING),
                    Types.MAP(Types.STRING, Types.STRING));
    static final TypeInformation<Row> FEEDBACK_ROW =
            Types.ROW_NAMED(
                    new String[] {"feedback_id", "prediction_id", "event_ms", "label"},
                    Types.STRING,
                    Types.STRING,
                    Types.LONG,
                    Types.DOUBLE);

    public static final String JOIN =
            "SELECT p.application, p.prediction_id, p.event_ms, p.model_name, p.model_version,"
                    + " p.score, p.numeric_features, p.categorical_features, p.tags,"
                    + " f.feedback_id, f.event_ms AS feedback_ms, f.label"
                    + " FROM predictions p LEFT JOIN feedback f"
                    + " ON p.prediction_id = f.prediction_id"
                    + " AND f.rowtime BETWEEN p.rowtime - INTERVAL '1' HOUR"
                    + " AND p.rowtime + INTERVAL '60' DAY";

    private SqlIntervalJoin() {}

    /** Registers both streams as tables with their source watermarks and returns the join. */
    public static Table join(
            StreamTableEnvironment tables,
            DataStream<Prediction> predictions,
            DataStream<Feedback> feedback) {
        DataStream<Row> p =
                predictions
                        .map(SqlIntervalJoin::row)
                        .returns(PREDICTION_ROW)
                        .uid("sql-prediction-rows")
                        .name("prediction to row");
        DataStream<Row> f =
                feedback.map(SqlIntervalJoin::row)
                        .returns(FEEDBACK_ROW)
                        .uid("sql-feedback-rows")
                        .name("feedback to row");
        tables.createTemporaryView("predictions", tables.fromDataStream(p, rowtime()));
        tables.createTemporaryView("feedback", tables.fromDataStream(f, rowtime()));
        return tables.sqlQuery(JOIN);
    }

    private static Schema rowtime() {
        return Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build();
    }

    static Row row(Prediction p) {
        return Row.of(
                p.getApplication(),
                p.getPredictionId(),
                p.getEventTime().toEpochMilli(),
                p.getModelName(),
                p.getModelVersion(),
                p.getScore(),
                p.getNumericFeatures(),
                p.getCategoricalFeatures(),
                p.getTags());
    }

    static Row row(Feedback f) {
        return Row.of(
                f.getFeedbackId(),
                f.getPredictionId(),
                f.getEventTime().toEpochMilli(),
                f.getLabel());
    }

    /** A joined row as Hindsight's outcome, for the same Iceberg table. */
    @SuppressWarnings("unchecked")
    public static Outcome outcome(Row r) {
        long predictionMs = (Long) r.getField("event_ms");
        Long feedbackMs = (Long) r.getField("feedback_ms");
        String feedbackId = (String) r.getField("feedback_id");
        return Outcome.newBuilder()
                .setApplication((String) r.getField("application"))
                .setPredictionId((String) r.getField("prediction_id"))
                .setPredictionTime(Instant.ofEpochMilli(predictionMs))
                .setModelName((String) r.getField("model_name"))
                .setModelVersion((String) r.getField("model_version"))
                .setScore((Double) r.getField("score"))
                .setNumericFeatures((Map<String, Double>) r.getField("numeric_features"))
                .setCategoricalFeatures((Map<String, String>) r.getField("categorical_features"))
                .setTags((Map<String, String>) r.getField("tags"))
                .setStatus(feedbackId == null ? OutcomeStatus.EXPIRED : OutcomeStatus.LABELED)
                .setPolicy("first")
                .setRevision(1)
                .setIsFinal(true)
                .setFeedbackCount(feedbackId == null ? 0 : 1)
                .setFeedbackId(feedbackId)
                .setFeedbackTime(feedbackMs == null ? null : Instant.ofEpochMilli(feedbackMs))
                .setLabel((Double) r.getField("label"))
                .setLabelDelayMs(feedbackMs == null ? null : feedbackMs - predictionMs)
                .setResolvedTime(
                        Instant.ofEpochMilli(
                                feedbackMs != null
                                        ? feedbackMs
                                        : predictionMs + Duration.ofDays(60).toMillis()))
                .build();
    }
}
