package io.hindsight.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * A drift reference: for each target, the KLL sketch and exact sums or the category counts of a set
 * of predictions (a training set, a period of the predictions table), with their counts. Written to
 * and read from a JSON file so that {@code drift.reference.type: profile} can use it.
 *
 * <pre>{@code
 * {"format": "hindsight-reference-profile", "version": 2, "application": "fraud",
 *  "source": "...", "sketch_k": 200, "max_categories": 100, "predictions": 120000,
 *  "features": {
 *    "amount": {"kind": "numeric", "predictions": 120000, "values": 119000,
 *               "out_of_range": 3, "non_finite": 0, "sum": [1.1e-10, 8312950.25],
 *               "sum_of_squares": [-2.6e-7, 4.7e9], "sketch": "<KLL bytes, base64>"},
 *    "merchant_category": {"kind": "categorical", "predictions": 120000, "values": 120000,
 *               "categories": {"electronics": 14000, ...}, "other": 0},
 *    "scores": {"kind": "numeric_map", "predictions": 120000, "unreported_values": 0,
 *               "classes": {"<class>": {"values": ..., "out_of_range": 0, "non_finite": 0,
 *                                       "sum": [...], "sum_of_squares": [...],
 *                                       "sketch": "..."}}}}}
 * }</pre>
 *
 * <p>{@code sum} and {@code sum_of_squares} are the exact sums of the values and of their squares,
 * each as the doubles whose exact sum it is ({@link ExactSum}'s partials; JSON numbers keep a
 * double exactly), or null when the sum overflowed: the reference's standard deviation that
 * normalizes Wasserstein comes from them. Version 1 lacked them; it is refused.
 */
public final class ReferenceProfile {

    public static final String FORMAT = "hindsight-reference-profile";
    public static final int VERSION = 2;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String application;
    private final String source;
    private final String origin;
    private final int sketchK;
    private final int maxCategories;
    private final long predictions;
    private final Map<String, Entry> features;

    private record Entry(DriftTarget.Kind kind, FeatureWindow window) {}

    private ReferenceProfile(
            String application,
            String source,
            String origin,
            int sketchK,
            int maxCategories,
            long predictions,
            Map<String, Entry> features) {
        this.application = application;
        this.source = source;
        this.origin = origin;
        this.sketchK = sketchK;
        this.maxCategories = maxCategories;
        this.predictions = predictions;
        this.features = Collections.unmodifiableMap(features);
    }

    /** Folds {@code predictions} (duplicates skipped) into a profile of {@code spec}'s targets. */
    public static ReferenceProfile build(Iterable<Prediction> predictions, JobSpec spec) {
        Builder builder = builder(spec, "predictions");
        predictions.forEach(builder::add);
        return builder.build();
    }

    /** A profile built one prediction at a time; {@code source} says what it was built from. */
    public static Builder builder(JobSpec spec, String source) {
        return new Builder(spec, source);
    }

    /** Builds a {@link ReferenceProfile} one prediction at a time. */
    public static final class Builder {
        private final JobSpec spec;
        private final String source;
        private final List<DriftTarget> targets;
        private final List<FeatureWindow> windows = new ArrayList<>();
        private long predictions;

        private Builder(JobSpec spec, String source) {
            this.spec = spec;
            this.source = source;
            this.targets = DriftTarget.of(spec);
            for (int i = 0; i < targets.size(); i++) {
                windows.add(
                        new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories()));
            }
        }

        /** Adds one prediction; a re-sent one ({@code duplicate = true}) is skipped. */
        public Builder add(Prediction p) {
            if (p.getDuplicate()) {
                return this;
            }
            predictions++;
            for (int i = 0; i < targets.size(); i++) {
                DriftFolder.add(p, targets.get(i), windows.get(i));
            }
            return this;
        }

        public ReferenceProfile build() {
            Map<String, Entry> features = new LinkedHashMap<>();
            for (int i = 0; i < targets.size(); i++) {
                features.put(
                        targets.get(i).name(), new Entry(targets.get(i).kind(), windows.get(i)));
            }
            return new ReferenceProfile(
                    spec.application(),
                    source,
                    source,
                    spec.drift().sketchK(),
                    spec.drift().maxCategories(),
                    predictions,
                    features);
        }
    }

    public String application() {
        return application;
    }

    /** What the profile was built from, as its builder said. */
    public String source() {
        return source;
    }

    /** Predictions folded in (duplicates excluded). */
    public long predictions() {
        return predictions;
    }

    /** The target names the profile holds, in order. */
    public List<String> targets() {
        return List.copyOf(features.keySet());
    }

    /** The reference of target {@code name}, or null. */
    FeatureWindow reference(String name) {
        Entry e = features.get(name);
        return e == null ? null : e.window();
    }

    /** Target name → encoded {@link FeatureWindow}, what the merge stage carries. */
    Map<String, byte[]> encoded() {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        features.forEach((name, e) -> encoded.put(name, e.window().encode()));
        return encoded;
    }

    /**
     * Checks that this profile can be the reference of {@code spec}: same application, and every
     * target of the spec present with the same kind.
     *
     * @throws IllegalArgumentException naming the profile's origin and every mismatch
     */
    public void requireCovers(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!application.equals(spec.application())) {
            problems.add(
                    String.format(
                            "built for application '%s', the spec is for '%s'",
                            application, spec.application()));
        }
        for (DriftTarget t : DriftTarget.of(spec)) {
            Entry e = features.get(t.name());
            if (e == null) {
                problems.add(
                        String.format(
                                "has no feature '%s' (it has: %s)",
                                t.name(), String.join(", ", features.keySet())));
            } else if (e.kind() != t.kind()) {
                problems.add(
                        String.format(
                                "feature '%s' is %s in the profile, %s in the spec",
                                t.name(), kindName(e.kind()), kindName(t.kind())));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    String.format(
                            "reference profile %s does not fit the spec: %s",
                            origin, String.join("; ", problems)));
        }
    }

    /** Writes the profile as JSON to {@code file}. */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("application", application);
        root.put("source", source);
        root.put("sketch_k", sketchK);
        root.put("max_categories", maxCategories);
        root.put("predictions", predictions);
        ObjectNode out = root.putObject("features");
        features.forEach((name, e) -> out.set(name, writeEntry(e)));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    private static ObjectNode writeEntry(Entry e) {
        ObjectNode node = JSON.createObjectNode();
        FeatureWindow w = e.window();
        node.put("kind", kindName(e.kind()));
        node.put("predictions", w.predictions());
        switch (e.kind()) {
            case NUMERIC -> writeNumeric(node, numericOrEmpty(w));
            case CATEGORICAL -> {
                CategoryCounts c = w.categoriesOrNull();
                node.put("values", c == null ? 0 : c.values());
                ObjectNode categories = node.putObject("categories");
                if (c != null) {
                    c.sorted().forEach(categories::put);
                }
                node.put("other", c == null ? 0 : c.other());
            }
            case NUMERIC_MAP -> {
                node.put("unreported_values", w.unreportedClassValues);
                ObjectNode classes = node.putObject("classes");
                w.classes().forEach((c, v) -> writeNumeric(classes.putObject(c), v));
            }
        }
        return node;
    }

    private static NumericValues numericOrEmpty(FeatureWindow w) {
        return w.numericOrNull() == null ? w.numeric() : w.numericOrNull();
    }

    private static void writeNumeric(ObjectNode node, NumericValues v) {
        node.put("values", v.values);
        node.put("out_of_range", v.outOfRange);
        node.put("non_finite", v.nonFinite);
        writeSum(node, "sum", v.sum);
        writeSum(node, "sum_of_squares", v.sumOfSquares);
        node.put("sketch", Base64.getEncoder().encodeToString(v.sketch.toByteArray()));
    }

    private static void writeSum(ObjectNode node, String field, ExactSum sum) {
        double[] partials = sum.partials();
        if (partials == null) {
            node.putNull(field);
        } else {
            ArrayNode array = node.putArray(field);
            for (double p : partials) {
                array.add(p);
            }
        }
    }

    /**
     * Reads a profile written by {@link #write}.
     *
     * @throws IllegalArgumentException naming {@code file} and the problem, if it cannot be read or
     *     is not a valid profile
     */
    public static ReferenceProfile read(Path file) {
        String where = "reference profile " + file.toAbsolutePath();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    String.format("%s is not valid JSON: %s", where, e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(String.format("%s cannot be read: %s", where, e), e);
        }
        return new Reader(where, file.toAbsolutePath().toString()).profile(root);
    }

    /** Reads the JSON tree, naming the field of the first problem. */
    private static final class Reader {
        private final String where;
        private final String origin;

        Reader(String where, String origin) {
            this.where = where;
            this.origin = origin;
        }

        ReferenceProfile profile(JsonNode root) {
            if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
                throw fail(
                        String.format(
                                "is not a Hindsight reference profile (expected \"format\": \"%s\")",
                                FORMAT));
            }
            long version = integer(root, "version", "version");
            if (version != VERSION) {
                throw fail(
                        String.format(
                                "has version %d; this Hindsight reads version %d",
                                version, VERSION));
            }
            String application = text(root, "application", "application");
            String source = root.path("source").asText("");
            int sketchK = (int) integer(root, "sketch_k", "sketch_k");
            int maxCategories = (int) integer(root, "max_categories", "max_categories");
            if (sketchK < 8 || maxCategories < 1) {
                throw fail("sketch_k must be at least 8 and max_categories at least 1");
            }
            long predictions = integer(root, "predictions", "predictions");
            JsonNode features = root.path("features");
            if (!features.isObject()) {
                throw fail("features: expected an object of features");
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = features.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                entries.put(
                        f.getKey(),
                        entry(f.getValue(), "features." + f.getKey(), sketchK, maxCategories));
            }
            return new ReferenceProfile(
                    application, source, origin, sketchK, maxCategories, predictions, entries);
        }

        private Entry entry(JsonNode node, String path, int sketchK, int maxCategories) {
            if (!node.isObject()) {
                throw fail(path + ": expected an object");
            }
            String kindText = text(node, "kind", path + ".kind");
            DriftTarget.Kind kind =
                    switch (kindText) {
                        case "numeric" -> DriftTarget.Kind.NUMERIC;
                        case "categorical" -> DriftTarget.Kind.CATEGORICAL;
                        case "numeric_map" -> DriftTarget.Kind.NUMERIC_MAP;
                        default ->
                                throw fail(
                                        String.format(
                                                "%s.kind: unknown kind '%s' (known: numeric,"
                                                        + " categorical, numeric_map)",
                                                path, kindText));
                    };
            FeatureWindow w = new FeatureWindow(sketchK, maxCategories);
            w.predictions = integer(node, "predictions", path + ".predictions");
            switch (kind) {
                case NUMERIC -> w.setNumeric(numeric(node, path));
                case CATEGORICAL -> {
                    JsonNode categories = node.path("categories");
                    if (!categories.isObject()) {
                        throw fail(path + ".categories: expected an object of counts");
                    }
                    Map<String, Long> counts = new TreeMap<>();
                    Iterator<Map.Entry<String, JsonNode>> it = categories.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> c = it.next();
                        counts.put(
                                c.getKey(),
                                count(c.getValue(), path + ".categories." + c.getKey()));
                    }
                    long other = integer(node, "other", path + ".other");
                    CategoryCounts c = CategoryCounts.of(counts, other, maxCategories);
                    long values = integer(node, "values", path + ".values");
                    if (values != c.values()) {
                        throw fail(
                                String.format(
                                        "%s: values is %d but the categories and other add up"
                                                + " to %d",
                                        path, values, c.values()));
                    }
                    w.setCategories(c);
                }
                case NUMERIC_MAP -> {
                    w.unreportedClassValues =
                            integer(node, "unreported_values", path + ".unreported_values");
                    JsonNode classes = node.path("classes");
                    if (!classes.isObject()) {
                        throw fail(path + ".classes: expected an object of classes");
                    }
                    Iterator<Map.Entry<String, JsonNode>> it = classes.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> c = it.next();
                        w.setClass(
                                c.getKey(), numeric(c.getValue(), path + ".classes." + c.getKey()));
                    }
                }
            }
            return new Entry(kind, w);
        }

        private NumericValues numeric(JsonNode node, String path) {
            if (!node.isObject()) {
                throw fail(path + ": expected an object");
            }
            String encoded = text(node, "sketch", path + ".sketch");
            KllDoublesSketch sketch;
            try {
                sketch = NumericValues.heapify(Base64.getDecoder().decode(encoded));
            } catch (RuntimeException e) {
                throw fail(String.format("%s.sketch: not a KLL sketch (%s)", path, e.getMessage()));
            }
            long values = integer(node, "values", path + ".values");
            if (values != sketch.getN()) {
                throw fail(
                        String.format(
                                "%s: values is %d but the sketch holds %d",
                                path, values, sketch.getN()));
            }
            return NumericValues.ofSketch(
                    sketch,
                    sum(node, "sum", path + ".sum"),
                    sum(node, "sum_of_squares", path + ".sum_of_squares"),
                    integer(node, "out_of_range", path + ".out_of_range"),
                    integer(node, "non_finite", path + ".non_finite"));
        }

        /** An exact sum: its partials (finite numbers), or null for one that overflowed. */
        private ExactSum sum(JsonNode node, String field, String path) {
            JsonNode v = node.get(field);
            if (v == null) {
                throw fail(path + ": missing");
            }
            if (v.isNull()) {
                return ExactSum.of(null);
            }
            boolean valid = v.isArray();
            double[] partials = new double[valid ? v.size() : 0];
            for (int i = 0; valid && i < partials.length; i++) {
                JsonNode p = v.get(i);
                valid = p.isNumber() && Double.isFinite(p.asDouble());
                partials[i] = p.asDouble();
            }
            if (!valid) {
                throw fail(
                        String.format(
                                "%s: expected an array of finite numbers (the partials of an exact"
                                        + " sum) or null, got %s",
                                path, v));
            }
            return ExactSum.of(partials);
        }

        private long integer(JsonNode node, String field, String path) {
            JsonNode v = node.get(field);
            if (v == null) {
                throw fail(path + ": missing");
            }
            return count(v, path);
        }

        private long count(JsonNode v, String path) {
            if (!v.isIntegralNumber() || v.asLong() < 0) {
                throw fail(String.format("%s: expected a non-negative integer, got %s", path, v));
            }
            return v.asLong();
        }

        private String text(JsonNode node, String field, String path) {
            JsonNode v = node.get(field);
            if (v == null) {
                throw fail(path + ": missing");
            }
            if (!v.isTextual()) {
                throw fail(String.format("%s: expected a string, got %s", path, v));
            }
            return v.asText();
        }

        private IllegalArgumentException fail(String problem) {
            return new IllegalArgumentException(where + ": " + problem);
        }
    }

    private static String kindName(DriftTarget.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
