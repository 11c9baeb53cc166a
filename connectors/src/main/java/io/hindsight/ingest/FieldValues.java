package io.hindsight.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hindsight.spec.FieldPath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads a spec field path ({@code request.id}) out of a decoded record, Avro or JSON.
 *
 * <p>Hand-written because the path walks the user's own nesting: Avro records, {@code ["null", X]}
 * unions and maps (a segment is then a map key), or JSON objects. Values come back as plain Java
 * ({@link String}, {@link Number}, {@link Boolean}, {@link List}, {@link Map}), with the Avro
 * logical type of the leaf so that timestamps can be read as declared.
 */
final class FieldValues {

    /** A resolved value; {@code value} is null when any segment is absent or null. */
    record Value(Object value, LogicalType logicalType) {
        static final Value ABSENT = new Value(null, null);

        boolean absent() {
            return value == null;
        }
    }

    private FieldValues() {}

    static Value resolve(Object tree, FieldPath path) {
        if (tree instanceof GenericRecord record) {
            return resolveAvro(record, path.segments());
        }
        if (tree instanceof JsonNode node) {
            return resolveJson(node, path.segments());
        }
        throw new IllegalArgumentException("not a decoded record: " + tree);
    }

    private static Value resolveAvro(GenericRecord record, List<String> segments) {
        Object current = record;
        Schema schema = record.getSchema();
        for (String segment : segments) {
            schema = nonNull(schema);
            if (current instanceof GenericRecord r) {
                Schema.Field field = r.getSchema().getField(segment);
                if (field == null) {
                    return Value.ABSENT;
                }
                current = r.get(field.pos());
                schema = field.schema();
            } else if (current instanceof Map<?, ?> map) {
                current = lookup(map, segment);
                schema = schema.getType() == Schema.Type.MAP ? schema.getValueType() : schema;
            } else {
                return Value.ABSENT;
            }
            if (current == null) {
                return Value.ABSENT;
            }
        }
        return new Value(plain(current), nonNull(schema).getLogicalType());
    }

    private static Object lookup(Map<?, ?> map, String key) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() != null && e.getKey().toString().equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema s : schema.getTypes()) {
            if (s.getType() != Schema.Type.NULL) {
                return s;
            }
        }
        return schema;
    }

    /** Avro runtime values (Utf8, enum symbols, generic arrays) as plain Java. */
    private static Object plain(Object v) {
        if (v instanceof CharSequence || v instanceof org.apache.avro.generic.GenericEnumSymbol) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(plain(o));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, val) -> out.put(k.toString(), plain(val)));
            return out;
        }
        return v;
    }

    private static Value resolveJson(JsonNode node, List<String> segments) {
        JsonNode current = node;
        for (String segment : segments) {
            if (current == null || !current.isObject()) {
                return Value.ABSENT;
            }
            current = current.get(segment);
        }
        if (current == null || current.isNull() || current.isMissingNode()) {
            return Value.ABSENT;
        }
        return new Value(plain(current), null);
    }

    private static Object plain(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.doubleValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            n.forEach(e -> out.add(e.isNull() ? null : plain(e)));
            return out;
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isNull() ? null : plain(e.getValue()));
            }
            return out;
        }
        return n.asText();
    }
}
