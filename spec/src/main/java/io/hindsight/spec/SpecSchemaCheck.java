package io.hindsight.spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Checks that every field path a spec maps exists in the producers' Avro schemas, through nested
 * records, maps and {@code ["null", X]} unions, and has a type Hindsight can read there.
 */
public final class SpecSchemaCheck {

    private static final Set<Schema.Type> NUMBER =
            EnumSet.of(Schema.Type.INT, Schema.Type.LONG, Schema.Type.FLOAT, Schema.Type.DOUBLE);
    private static final Set<Schema.Type> KEY =
            EnumSet.of(Schema.Type.STRING, Schema.Type.INT, Schema.Type.LONG);
    private static final Set<Schema.Type> TIME =
            EnumSet.of(Schema.Type.LONG, Schema.Type.INT, Schema.Type.DOUBLE, Schema.Type.STRING);
    private static final Set<Schema.Type> TEXT = EnumSet.of(Schema.Type.STRING);
    private static final Set<Schema.Type> NAME =
            EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM, Schema.Type.INT, Schema.Type.LONG);
    private static final Set<Schema.Type> CATEGORY =
            EnumSet.of(
                    Schema.Type.STRING,
                    Schema.Type.ENUM,
                    Schema.Type.BOOLEAN,
                    Schema.Type.INT,
                    Schema.Type.LONG);
    private static final Set<Schema.Type> NUMBER_OR_BOOLEAN =
            EnumSet.of(
                    Schema.Type.INT,
                    Schema.Type.LONG,
                    Schema.Type.FLOAT,
                    Schema.Type.DOUBLE,
                    Schema.Type.BOOLEAN);
    private static final Set<Schema.Type> PRIMITIVE =
            EnumSet.of(
                    Schema.Type.STRING,
                    Schema.Type.ENUM,
                    Schema.Type.BOOLEAN,
                    Schema.Type.INT,
                    Schema.Type.LONG,
                    Schema.Type.FLOAT,
                    Schema.Type.DOUBLE);

    private final List<SpecError> errors = new ArrayList<>();

    private SpecSchemaCheck() {}

    /**
     * Checks the spec's Avro inputs against the schema files the spec names; an input without a
     * schema file is not checked. Unreadable schema files are errors too.
     */
    public static List<SpecError> check(JobSpec spec) {
        List<SpecError> errors = new ArrayList<>();
        Schema predictions = null;
        Schema feedback = null;
        if (spec.inputs().predictions().schemaFile() != null) {
            predictions =
                    read(
                            spec.inputs().predictions().schemaFile(),
                            "inputs.predictions.schema-file",
                            errors);
        }
        if (spec.inputs().feedback().schemaFile() != null) {
            feedback =
                    read(
                            spec.inputs().feedback().schemaFile(),
                            "inputs.feedback.schema-file",
                            errors);
        }
        errors.addAll(check(spec, predictions, feedback));
        return errors;
    }

    /** Checks against the given writer schemas; a null schema skips that input. */
    public static List<SpecError> check(
            JobSpec spec, Schema predictionSchema, Schema feedbackSchema) {
        SpecSchemaCheck c = new SpecSchemaCheck();
        if (predictionSchema != null) {
            c.predictions(spec.inputs().predictions(), predictionSchema);
        }
        if (feedbackSchema != null) {
            c.feedback(spec.inputs().feedback(), feedbackSchema);
        }
        return List.copyOf(c.errors);
    }

    private static Schema read(String file, String path, List<SpecError> errors) {
        try {
            return new Schema.Parser().parse(Path.of(file).toFile());
        } catch (IOException | SchemaParseException e) {
            errors.add(
                    new SpecError(
                            path,
                            0,
                            String.format(
                                    "cannot read Avro schema '%s' — %s", file, e.getMessage())));
            return null;
        }
    }

    private void predictions(PredictionInput input, Schema schema) {
        String base = "inputs.predictions.fields.";
        PredictionFields f = input.fields();
        field(schema, base + "join-key", f.joinKey(), KEY);
        field(schema, base + "event-time", f.eventTime(), TIME);
        valueSource(schema, base + "model-name", f.modelName());
        valueSource(schema, base + "model-version", f.modelVersion());
        field(schema, base + "score", f.score(), NUMBER);
        Schema scores = field(schema, base + "scores", f.scores(), EnumSet.of(Schema.Type.MAP));
        if (scores != null) {
            element(base + "scores", f.scores(), "map", scores.getValueType(), NUMBER);
        }
        field(schema, base + "predicted-class", f.predictedClass(), CATEGORY);
        field(schema, base + "predicted-value", f.predictedValue(), NUMBER);
        Schema items =
                field(
                        schema,
                        base + "ranked-items",
                        f.rankedItems(),
                        EnumSet.of(Schema.Type.ARRAY));
        if (items != null) {
            element(base + "ranked-items", f.rankedItems(), "array", items.getElementType(), NAME);
        }
        field(schema, base + "output-text", f.outputText(), TEXT);
        for (int i = 0; i < input.features().size(); i++) {
            FeatureSpec feature = input.features().get(i);
            Set<Schema.Type> allowed =
                    switch (feature.type()) {
                        case NUMERIC -> NUMBER_OR_BOOLEAN;
                        case CATEGORICAL -> CATEGORY;
                        case TEXT -> TEXT;
                    };
            field(schema, "inputs.predictions.features[" + i + "].path", feature.path(), allowed);
        }
        for (Map.Entry<String, FieldPath> tag : input.tags().entrySet()) {
            field(schema, "inputs.predictions.tags." + tag.getKey(), tag.getValue(), CATEGORY);
        }
    }

    private void feedback(FeedbackInput input, Schema schema) {
        String base = "inputs.feedback.fields.";
        FeedbackFields f = input.fields();
        field(schema, base + "join-key", f.joinKey(), KEY);
        field(schema, base + "event-time", f.eventTime(), TIME);
        field(schema, base + "feedback-id", f.feedbackId(), KEY);
        field(schema, base + "label", f.label(), NUMBER_OR_BOOLEAN);
        field(schema, base + "label-class", f.labelClass(), CATEGORY);
        for (Map.Entry<String, FieldPath> a : input.attributes().entrySet()) {
            field(schema, "inputs.feedback.attributes." + a.getKey(), a.getValue(), PRIMITIVE);
        }
    }

    private void valueSource(Schema schema, String path, ValueSource source) {
        if (source != null && !source.isConstant()) {
            field(schema, path, source.path(), NAME);
        }
    }

    /** The field's (non-null) schema if it resolves and has an allowed type, else null. */
    private Schema field(Schema root, String path, FieldPath field, Set<Schema.Type> allowed) {
        if (field == null) {
            return null;
        }
        Schema current = root;
        for (int i = 0; i < field.segments().size(); i++) {
            String segment = field.segments().get(i);
            Optional<Schema> unwrapped = unwrap(current);
            String prefix = String.join(".", field.segments().subList(0, i));
            if (unwrapped.isEmpty()) {
                error(
                        path,
                        "field '%s' cannot be read — '%s' is %s; expected a single type"
                                + " or [\"null\", type]",
                        field,
                        prefix,
                        describe(current));
                return null;
            }
            current = unwrapped.get();
            if (current.getType() == Schema.Type.RECORD) {
                Schema.Field f = current.getField(segment);
                if (f == null) {
                    error(
                            path,
                            "field '%s' not found — record %s has: %s",
                            field,
                            current.getFullName(),
                            current.getFields().stream()
                                    .map(Schema.Field::name)
                                    .collect(Collectors.joining(", ")));
                    return null;
                }
                current = f.schema();
            } else if (current.getType() == Schema.Type.MAP) {
                current = current.getValueType();
            } else {
                error(
                        path,
                        "field '%s' not found — '%s' is %s, not a record or map",
                        field,
                        prefix,
                        describe(current));
                return null;
            }
        }
        Optional<Schema> leaf = unwrap(current);
        if (leaf.isEmpty() || !allowed.contains(leaf.get().getType())) {
            error(path, "field '%s' is %s — expected %s", field, describe(current), names(allowed));
            return null;
        }
        return leaf.get();
    }

    private void element(
            String path,
            FieldPath field,
            String container,
            Schema element,
            Set<Schema.Type> allowed) {
        Optional<Schema> e = unwrap(element);
        if (e.isEmpty() || !allowed.contains(e.get().getType())) {
            error(
                    path,
                    "field '%s' is %s of %s — expected %s of %s",
                    field,
                    container,
                    describe(element),
                    container,
                    names(allowed));
        }
    }

    /** A union of null and one type reads as that type; other unions are ambiguous. */
    private static Optional<Schema> unwrap(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return Optional.of(schema);
        }
        List<Schema> branches =
                schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        return branches.size() == 1 ? Optional.of(branches.get(0)) : Optional.empty();
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getType().getName() + " " + schema.getFullName();
            case ARRAY -> "array of " + describe(schema.getElementType());
            case MAP -> "map of " + describe(schema.getValueType());
            case UNION ->
                    schema.getTypes().stream()
                            .map(SpecSchemaCheck::describe)
                            .collect(Collectors.joining(", ", "[", "]"));
            default -> schema.getType().getName();
        };
    }

    private static String names(Set<Schema.Type> types) {
        List<String> names = types.stream().map(Schema.Type::getName).toList();
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1))
                + " or "
                + names.get(names.size() - 1);
    }

    private void error(String path, String format, Object... args) {
        errors.add(new SpecError(path, 0, String.format(format, args)));
    }
}
