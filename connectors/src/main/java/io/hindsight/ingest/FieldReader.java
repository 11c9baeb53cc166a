package io.hindsight.ingest;

import io.hindsight.spec.FieldPath;
import io.hindsight.spec.TimestampFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;

/**
 * Typed reads of mapped fields, each failing with a message that names the field, its role in the
 * spec, what was found and what was expected.
 */
final class FieldReader {

    private FieldReader() {}

    static String requiredString(Object tree, FieldPath path, String role) throws MappingException {
        FieldValues.Value v = FieldValues.resolve(tree, path);
        if (v.absent()) {
            throw missing(path, role);
        }
        return scalarText(v.value(), path, role);
    }

    static String optionalString(Object tree, FieldPath path, String role) throws MappingException {
        if (path == null) {
            return null;
        }
        FieldValues.Value v = FieldValues.resolve(tree, path);
        return v.absent() ? null : scalarText(v.value(), path, role);
    }

    static Double optionalDouble(Object tree, FieldPath path, String role) throws MappingException {
        if (path == null) {
            return null;
        }
        FieldValues.Value v = FieldValues.resolve(tree, path);
        if (v.absent()) {
            return null;
        }
        return number(v.value(), path, role);
    }

    static Double number(Object value, FieldPath path, String role) throws MappingException {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        throw wrongType(path, role, value, "a number or boolean");
    }

    static Map<String, Double> optionalNumberMap(Object tree, FieldPath path, String role)
            throws MappingException {
        if (path == null) {
            return null;
        }
        FieldValues.Value v = FieldValues.resolve(tree, path);
        if (v.absent()) {
            return null;
        }
        if (!(v.value() instanceof Map<?, ?> map)) {
            throw wrongType(path, role, v.value(), "a map of numbers");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() != null) {
                out.put(e.getKey().toString(), number(e.getValue(), path, role));
            }
        }
        return out;
    }

    static List<String> optionalStringList(Object tree, FieldPath path, String role)
            throws MappingException {
        if (path == null) {
            return null;
        }
        FieldValues.Value v = FieldValues.resolve(tree, path);
        if (v.absent()) {
            return null;
        }
        if (!(v.value() instanceof List<?> list)) {
            throw wrongType(path, role, v.value(), "an array");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(o == null ? null : scalarText(o, path, role));
        }
        return out;
    }

    /**
     * Reads an event time and checks it against the Kafka record's own timestamp, which the broker
     * stored with the record: comparing with it (not with the wall clock) keeps replays
     * deterministic.
     */
    static Instant eventTime(
            Object tree,
            FieldPath path,
            TimestampFormat format,
            long kafkaTimestamp,
            Duration maxLag,
            Duration maxLead)
            throws MappingException {
        FieldValues.Value v = FieldValues.resolve(tree, path);
        if (v.absent()) {
            throw missing(path, "event time");
        }
        Instant t = toInstant(v.value(), v.logicalType(), format, path);
        if (kafkaTimestamp >= 0) {
            Instant reference = Instant.ofEpochMilli(kafkaTimestamp);
            if (t.isAfter(reference.plus(maxLead))) {
                throw new MappingException(
                        MappingException.TIMESTAMP_OUT_OF_RANGE,
                        "event time "
                                + t
                                + " in field '"
                                + path
                                + "' is "
                                + Duration.between(reference, t).toHours()
                                + " h ahead of the Kafka record timestamp "
                                + reference
                                + "; at most "
                                + maxLead
                                + " ahead is accepted (inputs.max-event-time-lead)");
            }
            if (t.isBefore(reference.minus(maxLag))) {
                throw new MappingException(
                        MappingException.TIMESTAMP_OUT_OF_RANGE,
                        "event time "
                                + t
                                + " in field '"
                                + path
                                + "' is "
                                + Duration.between(t, reference).toDays()
                                + " days behind the Kafka record timestamp "
                                + reference
                                + "; at most "
                                + maxLag
                                + " behind is accepted (inputs.max-event-time-lag)");
            }
        }
        return t;
    }

    private static Instant toInstant(
            Object value, LogicalType logicalType, TimestampFormat format, FieldPath path)
            throws MappingException {
        if (value instanceof Number n) {
            long x = n.longValue();
            TimestampFormat f = format;
            if (f == TimestampFormat.AUTO) {
                f =
                        logicalType instanceof LogicalTypes.TimestampMicros
                                        || logicalType instanceof LogicalTypes.LocalTimestampMicros
                                ? TimestampFormat.EPOCH_MICROS
                                : TimestampFormat.EPOCH_MILLIS;
            }
            return switch (f) {
                case EPOCH_SECONDS -> Instant.ofEpochSecond(x);
                case EPOCH_MICROS -> Instant.ofEpochSecond(x / 1_000_000, (x % 1_000_000) * 1000);
                case EPOCH_MILLIS -> Instant.ofEpochMilli(x);
                default -> throw badTimestamp(value, path, "an ISO-8601 text timestamp");
            };
        }
        if (value instanceof String text) {
            if (format != TimestampFormat.AUTO && format != TimestampFormat.ISO_8601) {
                throw badTimestamp(value, path, "a number (" + name(format) + ")");
            }
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return Instant.parse(text);
                } catch (DateTimeParseException e2) {
                    throw badTimestamp(
                            value, path, "an ISO-8601 timestamp such as 2026-03-01T12:00:00Z");
                }
            }
        }
        throw badTimestamp(value, path, "a timestamp");
    }

    private static String name(TimestampFormat f) {
        return f.name().toLowerCase().replace('_', '-');
    }

    private static MappingException badTimestamp(Object value, FieldPath path, String expected) {
        return new MappingException(
                MappingException.BAD_TIMESTAMP,
                "event time field '"
                        + path
                        + "' holds "
                        + describe(value)
                        + ", which is not "
                        + expected);
    }

    static String scalarText(Object value, FieldPath path, String role) throws MappingException {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        throw wrongType(path, role, value, "a string, number or boolean");
    }

    static MappingException missing(FieldPath path, String role) {
        return new MappingException(
                MappingException.MISSING_FIELD,
                "field '" + path + "' (" + role + ") is missing or null");
    }

    static MappingException wrongType(FieldPath path, String role, Object value, String expected) {
        return new MappingException(
                MappingException.WRONG_TYPE,
                "field '"
                        + path
                        + "' ("
                        + role
                        + ") holds "
                        + describe(value)
                        + "; expected "
                        + expected);
    }

    static String describe(Object value) {
        if (value instanceof String s) {
            String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
            return "the text '" + shown + "'";
        }
        if (value instanceof Map || value instanceof org.apache.avro.generic.GenericRecord) {
            return "a record/map";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof java.nio.ByteBuffer || value instanceof byte[]) {
            return "bytes";
        }
        return "the " + value.getClass().getSimpleName().toLowerCase() + " " + value;
    }
}
