package io.hindsight.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * The JSON file of a {@link ReferenceProfile}, written and read through Jackson's tree model:
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
 *
 * <p>Read from the tree rather than bound to classes because every problem is reported with the
 * path of its field and what was expected there ({@code features.amount.values: expected a
 * non-negative integer, got -1}), and because the counts must agree with the sketches they
 * describe, which binding alone does not check.
 */
final class ReferenceProfileJson {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReferenceProfileJson() {}

    /** Writes {@code profile} as JSON to {@code file}. */
    static void write(ReferenceProfile profile, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", ReferenceProfile.FORMAT);
        root.put("version", ReferenceProfile.VERSION);
        root.put("application", profile.application());
        root.put("source", profile.source());
        root.put("sketch_k", profile.sketchK());
        root.put("max_categories", profile.maxCategories());
        root.put("predictions", profile.predictions());
        ObjectNode out = root.putObject("features");
        profile.entries().forEach((name, e) -> out.set(name, writeEntry(e)));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    private static ObjectNode writeEntry(ReferenceProfile.Entry e) {
        ObjectNode node = JSON.createObjectNode();
        FeatureWindow w = e.window();
        node.put("kind", ReferenceProfile.kindName(e.kind()));
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
    static ReferenceProfile read(Path file) {
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
            if (root == null
                    || !root.isObject()
                    || !ReferenceProfile.FORMAT.equals(root.path("format").asText())) {
                throw fail(
                        String.format(
                                "is not a Hindsight reference profile (expected \"format\": \"%s\")",
                                ReferenceProfile.FORMAT));
            }
            long version = integer(root, "version", "version");
            if (version != ReferenceProfile.VERSION) {
                throw fail(
                        String.format(
                                "has version %d; this Hindsight reads version %d",
                                version, ReferenceProfile.VERSION));
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
            Map<String, ReferenceProfile.Entry> entries = new LinkedHashMap<>();
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

        private ReferenceProfile.Entry entry(
                JsonNode node, String path, int sketchK, int maxCategories) {
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
            return new ReferenceProfile.Entry(kind, w);
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
}
