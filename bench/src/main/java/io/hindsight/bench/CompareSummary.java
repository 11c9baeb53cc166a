package io.hindsight.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the side-by-side table of a {@code bench/run.sh compare} run: per variant, the median and
 * min–max of events per CPU-second and of events/s per core over its runs, then each variant's
 * ratio to every other by the medians. Reads the result lines ({@code key=value}, tab-separated)
 * that the runs appended, keeping those tagged with the given {@code run=} id.
 */
public final class CompareSummary {

    private CompareSummary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareSummary RESULTS.tsv RUN-ID");
            System.exit(2);
        }
        System.out.print(summary(Files.readAllLines(Path.of(args[0])), args[1]));
    }

    static String summary(List<String> lines, String runId) {
        Map<String, List<Map<String, String>>> byVariant = new LinkedHashMap<>();
        for (String line : lines) {
            Map<String, String> f = parse(line);
            if (runId.equals(f.get("run")) && f.containsKey("events_per_cpu_s")) {
                String name = f.get("variant") + " → " + f.get("sink");
                byVariant.computeIfAbsent(name, k -> new ArrayList<>()).add(f);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(
                "| variant | n | events / CPU-s, median (min–max) | events/s per core, median"
                        + " (min–max) | load before each run |\n|---|---|---|---|---|\n");
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<Map<String, String>>> e : byVariant.entrySet()) {
            double[] cpu = values(e.getValue(), "events_per_cpu_s");
            double[] core = values(e.getValue(), "events_per_s_per_core");
            medians.put(e.getKey(), new double[] {median(cpu), median(core)});
            List<String> loads = new ArrayList<>();
            for (Map<String, String> f : e.getValue()) {
                loads.add(f.getOrDefault("load_before", "?"));
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %s | %s | %s |%n",
                            e.getKey(),
                            cpu.length,
                            figure(cpu),
                            figure(core),
                            String.join(", ", loads)));
        }
        out.append("\n| ratio of medians | per CPU-s | per core |\n|---|---|---|\n");
        for (Map.Entry<String, double[]> a : medians.entrySet()) {
            for (Map.Entry<String, double[]> b : medians.entrySet()) {
                if (a.getKey().equals(b.getKey())) {
                    continue;
                }
                out.append(
                        String.format(
                                Locale.ROOT,
                                "| %s / %s | %.2f | %.2f |%n",
                                a.getKey(),
                                b.getKey(),
                                a.getValue()[0] / b.getValue()[0],
                                a.getValue()[1] / b.getValue()[1]));
            }
        }
        return out.toString();
    }

    static Map<String, String> parse(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String kv : line.split("\t")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                f.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return f;
    }

    private static double[] values(List<Map<String, String>> runs, String key) {
        return runs.stream().mapToDouble(f -> Double.parseDouble(f.get(key))).toArray();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String figure(double[] v) {
        double min = Arrays.stream(v).min().orElseThrow();
        double max = Arrays.stream(v).max().orElseThrow();
        return v.length == 1
                ? String.format(Locale.ROOT, "%,.0f", v[0])
                : String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", median(v), min, max);
    }
}
