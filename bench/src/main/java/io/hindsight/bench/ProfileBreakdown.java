package io.hindsight.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates the text of {@code jfr print --stack-depth 64 --events jdk.ExecutionSample} (stdin)
 * into where the time goes: per thread kind, and per category, a sample counting for the first
 * frame from the top of its stack that matches a category. Also prints the most frequent top
 * frames.
 *
 * <pre>
 * jfr print --stack-depth 64 --events jdk.ExecutionSample run.jfr | bench/run.sh profile
 * </pre>
 */
public final class ProfileBreakdown {

    /** Category rules, in order of precedence for one frame: substring of the frame → category. */
    static final String[][] RULES = {
        {"org.rocksdb.", "RocksDB (JNI: get/put/write batch/iterators)"},
        {"InternalTimerServiceImpl", "timers (register/fire, timer state)"},
        {"RocksDBCachingPriorityQueueSet", "timers (register/fire, timer state)"},
        {"HeapPriorityQueue", "timers (register/fire, timer state)"},
        {"io.hindsight.join.JoinState.", "JoinState encode/decode"},
        {"io.hindsight.schemas.AvroBinary.", "Avro bytes of prediction/feedback in state"},
        {"io.hindsight.schemas.PredictionBinary.", "Avro bytes of prediction/feedback in state"},
        {"io.hindsight.join.PredictionPayload.", "Avro bytes of prediction/feedback in state"},
        {"io.hindsight.join.HeldFeedbackQueue", "in-memory feedback queue (FeedbackJoinOperator)"},
        {"Outcome$Builder", "building output records (Avro builders)"},
        {"UnmatchedFeedback$Builder", "building output records (Avro builders)"},
        {"io.hindsight.bench.alternatives.PredictionPojo", "POJO conversion"},
        {"PojoSerializer", "POJO (de)serialization (state)"},
        {"io.hindsight.ingest.", "ingest: decode + map (CanonicalDeserializer)"},
        {"io.hindsight.bench.BenchData", "data generation (benchmark source)"},
        {"io.hindsight.bench.GeneratedInput", "data generation (benchmark source)"},
        {"org.apache.iceberg.", "Iceberg / Parquet writers"},
        {"org.apache.parquet.", "Iceberg / Parquet writers"},
        {"org.apache.flink.table.runtime.operators.join", "SQL interval join operator"},
        {"org.apache.flink.table.", "Flink table runtime: RowData (Iceberg conversion, SQL rows)"},
        {
            "org.apache.flink.formats.avro.typeutils.AvroSerializer",
            "record (de)serialization between tasks"
        },
        {"StreamElementSerializer", "record (de)serialization between tasks"},
        {"org.apache.flink.runtime.io.network", "network stack / buffers"},
        {"org.apache.flink.state.rocksdb", "RocksDB state backend (Java side)"},
        {"org.apache.flink.runtime.state", "keyed state backend (key groups, serializers)"},
        {"io.hindsight.join.FeedbackJoinFunction", "feedback join logic (rest)"},
        {
            "io.hindsight.join.FeedbackJoinOperator",
            "in-memory feedback queue (FeedbackJoinOperator)"
        },
        {"io.hindsight.bench.alternatives", "baseline join logic (rest)"},
        {"org.apache.kafka.", "Kafka client"},
        {"org.apache.flink.connector.kafka", "Kafka client"},
    };

    private ProfileBreakdown() {}

    public static void main(String[] args) throws IOException {
        Map<String, Map<String, Integer>> byThread = new LinkedHashMap<>();
        Map<String, Integer> topFrames = new HashMap<>();
        int samples = 0;
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String thread = "?";
        List<String> stack = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String t = line.trim();
            if (t.startsWith("sampledThread = ")) {
                thread = threadKind(t.substring("sampledThread = ".length()));
            } else if (t.equals("stackTrace = [")) {
                stack = new ArrayList<>();
            } else if (stack != null && t.equals("]")) {
                samples++;
                String category = categorize(stack);
                byThread.computeIfAbsent(thread, k -> new HashMap<>())
                        .merge(category, 1, Integer::sum);
                byThread.computeIfAbsent("(all threads)", k -> new HashMap<>())
                        .merge(category, 1, Integer::sum);
                if (!stack.isEmpty()) {
                    topFrames.merge(stack.get(0).replaceAll(" line: \\d+", ""), 1, Integer::sum);
                }
                stack = null;
            } else if (stack != null && !t.equals("...")) {
                stack.add(t);
            }
        }
        System.out.printf("%d samples%n", samples);
        byThread.forEach(
                (kind, categories) -> {
                    int total = categories.values().stream().mapToInt(Integer::intValue).sum();
                    System.out.printf("%n## %s: %d samples%n", kind, total);
                    categories.entrySet().stream()
                            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                            .forEach(
                                    e ->
                                            System.out.printf(
                                                    "| %s | %d | %.1f %% |%n",
                                                    e.getKey(),
                                                    e.getValue(),
                                                    100.0 * e.getValue() / total));
                });
        System.out.printf("%n## top frames%n");
        topFrames.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(25)
                .forEach(e -> System.out.printf("| %s | %d |%n", e.getKey(), e.getValue()));
    }

    static String categorize(List<String> stack) {
        for (String frame : stack) {
            for (String[] rule : RULES) {
                if (frame.contains(rule[0])) {
                    return rule[1];
                }
            }
        }
        return "other (JVM, GC helpers, Flink runtime)";
    }

    /** "feedback join (1/2)#0" (javaThreadId = 80) → "feedback join"; sources by their name. */
    static String threadKind(String sampled) {
        String name = sampled.replaceAll("^\"|\" \\(.*$", "");
        int paren = name.indexOf(" (");
        return paren > 0 ? name.substring(0, paren) : name.replaceAll("[-#]?\\d+$", "");
    }
}
