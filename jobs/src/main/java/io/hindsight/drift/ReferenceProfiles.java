package io.hindsight.drift;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.DriftReference;
import io.hindsight.spec.JobSpec;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.DateTimeUtil;

/** Where a drift reference comes from: the spec's profile file or predictions table. */
public final class ReferenceProfiles {

    /** The predictions table's columns a profile needs. */
    private static final String[] COLUMNS = {
        "application",
        "prediction_id",
        "event_time",
        "model_name",
        "model_version",
        "score",
        "scores",
        "predicted_class",
        "predicted_value",
        "output_text",
        "numeric_features",
        "categorical_features",
        "duplicate"
    };

    private ReferenceProfiles() {}

    /**
     * A profile of the predictions in {@code table} with event time in {@code [from, to)},
     * duplicates skipped, read with Iceberg's generic reader.
     *
     * @throws IllegalArgumentException if the table does not exist or {@code from} is not before
     *     {@code to}
     */
    public static ReferenceProfile fromTable(
            CatalogLoader catalog, TableIdentifier table, Instant from, Instant to, JobSpec spec) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException(
                    String.format(
                            "drift reference table %s: 'from' (%s) must be before 'to' (%s)",
                            table, from, to));
        }
        Catalog c = catalog.loadCatalog();
        try (Closeable closer = c instanceof Closeable closeable ? closeable : () -> {}) {
            Table t;
            try {
                t = c.loadTable(table);
            } catch (NoSuchTableException e) {
                throw new IllegalArgumentException(
                        String.format(
                                "drift reference table %s does not exist in catalog '%s'",
                                table, c.name()),
                        e);
            }
            long fromMicros = DateTimeUtil.microsFromInstant(from);
            long toMicros = DateTimeUtil.microsFromInstant(to);
            Expression range =
                    Expressions.and(
                            Expressions.greaterThanOrEqual("event_time", fromMicros),
                            Expressions.lessThan("event_time", toMicros));
            ReferenceProfile.Builder builder =
                    ReferenceProfile.builder(
                            spec, String.format("table %s [%s, %s)", table, from, to));
            try (CloseableIterable<Record> rows =
                    IcebergGenerics.read(t).select(COLUMNS).where(range).build()) {
                for (Record row : rows) {
                    Prediction p = toPrediction(row);
                    // The scan filters whole files by their statistics; rows are checked here.
                    Instant time = p.getEventTime();
                    if (!time.isBefore(from) && time.isBefore(to)) {
                        builder.add(p);
                    }
                }
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("reading drift reference table " + table, e);
        }
    }

    /**
     * The reference profile {@code spec} names: null for a rolling reference; the profile file
     * (checked against the spec); or the spec's predictions table in {@code catalog}.
     */
    public static ReferenceProfile forSpec(JobSpec spec, CatalogLoader catalog) {
        DriftReference reference = spec.drift().reference();
        return switch (reference.type()) {
            case ROLLING -> null;
            case PROFILE -> {
                ReferenceProfile profile = ReferenceProfile.read(Path.of(reference.profileFile()));
                profile.requireCovers(spec);
                yield profile;
            }
            case TABLE ->
                    fromTable(
                            catalog,
                            TableIdentifier.of(
                                    Namespace.of(spec.iceberg().namespace()),
                                    spec.iceberg().tables().predictions()),
                            reference.from(),
                            reference.to(),
                            spec);
        };
    }

    /** What rows name as their reference: {@code rolling:<n>}, {@code profile:<file>}, ... */
    public static String label(JobSpec spec) {
        DriftReference reference = spec.drift().reference();
        return switch (reference.type()) {
            case ROLLING -> "rolling:" + reference.windows();
            case PROFILE -> "profile:" + reference.profileFile();
            case TABLE -> "table:" + reference.from() + "/" + reference.to();
        };
    }

    /** A predictions-table row as the prediction it was written from (the columns drift reads). */
    static Prediction toPrediction(Record row) {
        return Prediction.newBuilder()
                .setApplication(text(row.getField("application")))
                .setPredictionId(text(row.getField("prediction_id")))
                .setEventTime(((OffsetDateTime) row.getField("event_time")).toInstant())
                .setModelName(text(row.getField("model_name")))
                .setModelVersion(text(row.getField("model_version")))
                .setScore((Double) row.getField("score"))
                .setScores(row.getField("scores") == null ? null : doubles(row.getField("scores")))
                .setPredictedClass(text(row.getField("predicted_class")))
                .setPredictedValue((Double) row.getField("predicted_value"))
                .setOutputText(text(row.getField("output_text")))
                .setNumericFeatures(
                        row.getField("numeric_features") == null
                                ? Map.of()
                                : doubles(row.getField("numeric_features")))
                .setCategoricalFeatures(
                        row.getField("categorical_features") == null
                                ? Map.of()
                                : texts(row.getField("categorical_features")))
                .setDuplicate(Boolean.TRUE.equals(row.getField("duplicate")))
                .build();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Map<String, Double> doubles(Object map) {
        Map<String, Double> out = new HashMap<>();
        ((Map<?, ?>) map).forEach((k, v) -> out.put(k.toString(), (Double) v));
        return out;
    }

    private static Map<String, String> texts(Object map) {
        Map<String, String> out = new HashMap<>();
        ((Map<?, ?>) map).forEach((k, v) -> out.put(k.toString(), text(v)));
        return out;
    }
}
