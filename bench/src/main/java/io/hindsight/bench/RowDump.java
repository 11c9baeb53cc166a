package io.hindsight.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * {@code --sink dump}: every row of a table as one canonical text line (fields in schema order, map
 * entries sorted by key), written per subtask and sorted into one file per table after the job. Two
 * builds run on the same input give byte-identical files exactly when they wrote the same rows,
 * whatever the order rows were emitted in.
 */
final class RowDump {

    private RowDump() {}

    /** One row as text: records field by field in schema order, maps sorted by key. */
    static String canonical(Object value) {
        StringBuilder out = new StringBuilder(256);
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value instanceof GenericRecord r) {
            out.append('{');
            List<Schema.Field> fields = r.getSchema().getFields();
            for (int i = 0; i < fields.size(); i++) {
                out.append(i == 0 ? "" : ",").append(fields.get(i).name()).append('=');
                append(out, r.get(i));
            }
            out.append('}');
        } else if (value instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted(m).entrySet()) {
                out.append(first ? "" : ",").append(e.getKey()).append('=');
                append(out, e.getValue());
                first = false;
            }
            out.append('}');
        } else if (value instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                out.append(i == 0 ? "" : ",");
                append(out, l.get(i));
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    private static Map<String, Object> sorted(Map<?, ?> m) {
        Map<String, Object> t = new TreeMap<>();
        m.forEach((k, v) -> t.put(String.valueOf(k), v));
        return t;
    }

    /** Writes canonical lines to {@code dir/name-<subtask>.part}. */
    static final class LinesSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String dir;
        private final String name;

        LinesSink(Path dir, String name) {
            this.dir = dir.toString();
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
            Path file =
                    Path.of(
                            dir,
                            name + "-" + context.getTaskInfo().getIndexOfThisSubtask() + ".part");
            Files.createDirectories(file.getParent());
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) throws IOException {
                    w.write(canonical(element));
                    w.newLine();
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    w.flush();
                }

                @Override
                public void close() throws IOException {
                    w.close();
                }
            };
        }
    }

    /**
     * Sorts the parts of every table under {@code parts} into {@code to/<table>.txt}; returns, per
     * table, its row count and the SHA-256 of the sorted file.
     */
    static Map<String, String> collect(Path parts, Path to) throws Exception {
        Map<String, List<String>> tables = new TreeMap<>();
        try (Stream<Path> files = Files.list(parts)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".part")).toList()) {
                String file = f.getFileName().toString();
                String table = file.substring(0, file.lastIndexOf('-'));
                tables.computeIfAbsent(table, t -> new ArrayList<>())
                        .addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        Files.createDirectories(to);
        Map<String, String> summary = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : tables.entrySet()) {
            List<String> rows = e.getValue();
            rows.sort(null);
            Path out = to.resolve(e.getKey() + ".txt");
            Files.write(out, rows, StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out));
            summary.put(e.getKey(), rows.size() + ":" + HexFormat.of().formatHex(digest, 0, 8));
        }
        return summary;
    }
}
