package io.hindsight.discovery;

import io.hindsight.metrics.Bins;
import io.hindsight.metrics.Slices;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.spec.MetricsTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * One cohort's counts for slice discovery: the whole cohort's {@link SliceCell}, and one cell per
 * value combination of every dimension combination — bounded: per dimension at most {@code
 * max-values} values are kept (the most frequent ones, by a DataSketches frequent-items sketch of
 * the dimension's values), and a row whose value is not kept counts only in the cohort's cell and
 * in the "other" of that dimension, which is never tested and needs no cell (the rest of a slice is
 * the cohort's cell minus the slice's).
 *
 * <p>Which outcome rows count: as for the label-based slice metrics, final rows only (LABELED, and
 * EXPIRED as label 0 when {@code expired-as: negative}), each prediction once (under policy {@code
 * all} its revision-1 row).
 */
final class CohortCells {

    static final int VERSION = 1;

    private static final ArrayOfStringsSerDe SERDE = new ArrayOfStringsSerDe();
    private static final char FIELD = '\u0000';

    final SliceCell total;

    /** Per dimension: the frequencies of its values over the counted rows. */
    final List<ItemsSketch<String>> sketches;

    /** Per dimension: the values that have cells. */
    final List<TreeSet<String>> kept;

    /** Combination index, then the values in the combination's order, joined by NUL → cell. */
    final TreeMap<String, SliceCell> cells;

    /**
     * Outcome rows that lacked what the task needs (score, label, predicted value): not counted.
     */
    long unusable;

    private final boolean histograms;

    private CohortCells(
            SliceCell total,
            List<ItemsSketch<String>> sketches,
            List<TreeSet<String>> kept,
            TreeMap<String, SliceCell> cells,
            boolean histograms) {
        this.total = total;
        this.sketches = sketches;
        this.kept = kept;
        this.cells = cells;
        this.histograms = histograms;
    }

    static CohortCells create(DiscoveryConfig config) {
        boolean histograms = config.tests(DiscoveryMetric.AUC);
        List<ItemsSketch<String>> sketches = new ArrayList<>();
        List<TreeSet<String>> kept = new ArrayList<>();
        for (int d = 0; d < config.dimensions().size(); d++) {
            sketches.add(new ItemsSketch<>(sketchSize(config.maxValues())));
            kept.add(new TreeSet<>());
        }
        return new CohortCells(
                SliceCell.create(histograms), sketches, kept, new TreeMap<>(), histograms);
    }

    /**
     * The sketch's map size: a power of two of at least 4 · max-values, so that the sketch counts
     * exactly (no purge, {@code getMaximumError() == 0}) up to 3 · max-values distinct values.
     */
    static int sketchSize(int maxValues) {
        int size = 8;
        while (size < 4L * maxValues) {
            size <<= 1;
        }
        return size;
    }

    /** Folds one outcome row of one of the cohort's predictions. */
    void addOutcome(Outcome o, DiscoveryConfig config, List<int[]> combinations) {
        boolean labeled = o.getStatus() == OutcomeStatus.LABELED;
        if (!o.getIsFinal()) {
            return; // provisional: the prediction's final row will count
        }
        boolean expiredNegative =
                !labeled
                        && config.expiredNegative()
                        && config.task() == MetricsTask.BINARY_CLASSIFICATION;
        if (!labeled && !expiredNegative) {
            return;
        }
        if ("all".equals(o.getPolicy()) && o.getRevision() != 1) {
            return; // the prediction entered with its first row
        }
        boolean error;
        int scoreBin = -1;
        boolean positive = false;
        double regressionError = 0;
        switch (config.task()) {
            case BINARY_CLASSIFICATION -> {
                Double score = o.getScore();
                Double label = expiredNegative ? Double.valueOf(0) : o.getLabel();
                if (score == null
                        || !(score >= 0 && score <= 1)
                        || label == null
                        || label.isNaN()) {
                    unusable++;
                    return;
                }
                positive = label >= 0.5;
                error = positive != (score >= config.positiveThreshold());
                scoreBin = Bins.scoreBin(score);
            }
            case MULTICLASS_CLASSIFICATION -> {
                String actual = o.getLabelClass();
                String predicted = o.getPredictedClass();
                if (predicted == null && o.getScores() != null) {
                    predicted = argMax(o.getScores());
                }
                if (actual == null || predicted == null) {
                    unusable++;
                    return;
                }
                error = !actual.equals(predicted);
            }
            case REGRESSION -> {
                Double predicted = o.getPredictedValue();
                Double label = o.getLabel();
                if (predicted == null || label == null || !Double.isFinite(predicted + label)) {
                    unusable++;
                    return;
                }
                error = false;
                regressionError = predicted - label;
            }
            default -> {
                return; // ranking and LLM feedback are not tested (the validator refuses them)
            }
        }
        List<String> dims = config.dimensions();
        String[] values = new String[dims.size()];
        boolean[] isKept = new boolean[dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            values[d] =
                    Slices.value(
                            dims.get(d),
                            o.getTags(),
                            o.getCategoricalFeatures(),
                            o.getModelName(),
                            o.getModelVersion());
            sketches.get(d).update(values[d]);
            TreeSet<String> k = kept.get(d);
            // On the heap up to 3 · max-values values are admitted as they come (the sketch counts
            // that many exactly); trim() keeps the most frequent max-values before the cells leave.
            isKept[d] =
                    k.contains(values[d])
                            || (k.size() < 3L * config.maxValues() && k.add(values[d]));
        }
        add(total, config.task(), error, scoreBin, positive, regressionError);
        for (int c = 0; c < combinations.size(); c++) {
            int[] combination = combinations.get(c);
            boolean all = true;
            for (int d : combination) {
                all &= isKept[d];
            }
            if (all) {
                String key = cellKey(c, combination, values);
                SliceCell cell = cells.computeIfAbsent(key, x -> SliceCell.create(histograms));
                add(cell, config.task(), error, scoreBin, positive, regressionError);
            }
        }
    }

    private static void add(
            SliceCell cell,
            MetricsTask task,
            boolean error,
            int scoreBin,
            boolean positive,
            double regressionError) {
        if (task == MetricsTask.REGRESSION) {
            cell.addRegression(regressionError);
        } else {
            cell.addClassified(error, scoreBin, positive);
        }
    }

    static String cellKey(int combinationIndex, int[] combination, String[] values) {
        StringBuilder b = new StringBuilder().append((char) ('A' + combinationIndex));
        for (int d : combination) {
            b.append(FIELD).append(values[d].replace(FIELD, '\uFFFD'));
        }
        return b.toString();
    }

    /** The combination index and values of a cell key. */
    static int combinationOf(String key) {
        return key.charAt(0) - 'A';
    }

    static String[] valuesOf(String key) {
        return key.substring(2).split(String.valueOf(FIELD), -1);
    }

    /** Adds another accumulator of the same cohort, then keeps at most max-values per dimension. */
    void merge(CohortCells o, DiscoveryConfig config, List<int[]> combinations) {
        total.merge(o.total);
        unusable += o.unusable;
        for (int d = 0; d < sketches.size(); d++) {
            sketches.get(d).merge(o.sketches.get(d));
            kept.get(d).addAll(o.kept.get(d));
        }
        for (Map.Entry<String, SliceCell> e : o.cells.entrySet()) {
            SliceCell mine = cells.get(e.getKey());
            if (mine == null) {
                cells.put(e.getKey(), e.getValue());
            } else {
                mine.merge(e.getValue());
            }
        }
        trim(config.maxValues(), combinations);
    }

    /**
     * Keeps, per dimension, the {@code maxValues} most frequent kept values by the sketch (ties:
     * the smaller value) and drops the cells of the others: their rows stay in the cohort's cell
     * ("other"). Called on every merge and before the cells are written, so that what leaves the
     * heap holds at most {@code maxValues} values per dimension.
     */
    void trim(int maxValues, List<int[]> combinations) {
        List<Set<String>> evicted = new ArrayList<>();
        boolean any = false;
        for (int d = 0; d < sketches.size(); d++) {
            ItemsSketch<String> sketch = sketches.get(d);
            TreeSet<String> k = kept.get(d);
            Set<String> out = new HashSet<>();
            if (k.size() > maxValues) {
                List<String> ranked = new ArrayList<>(k);
                ranked.sort(
                        Comparator.comparingLong((String v) -> -sketch.getEstimate(v))
                                .thenComparing(Comparator.naturalOrder()));
                out.addAll(ranked.subList(maxValues, ranked.size()));
                k.removeAll(out);
                any = true;
            }
            evicted.add(out);
        }
        if (any) {
            cells.keySet().removeIf(key -> holdsAny(key, combinations, evicted));
        }
    }

    private static boolean holdsAny(String key, List<int[]> combinations, List<Set<String>> out) {
        int[] combination = combinations.get(combinationOf(key));
        String[] values = valuesOf(key);
        for (int i = 0; i < combination.length; i++) {
            if (out.get(combination[i]).contains(values[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the cells of a dimension's value hold every counted row with that value: false when a
     * value was kept only after some of its rows had gone to "other" (possible only beyond
     * max-values distinct values). Exact while the sketch is exact; otherwise judged by its lower
     * bound. Incomplete values are not tested.
     */
    boolean complete(int dimension, String value, int singleIndex) {
        SliceCell single = cells.get(key(singleIndex, value));
        if (single == null) {
            return false;
        }
        ItemsSketch<String> sketch = sketches.get(dimension);
        long expected =
                sketch.getMaximumError() == 0
                        ? sketch.getEstimate(value)
                        : sketch.getLowerBound(value);
        return single.n >= expected;
    }

    /** The key of a cell given its values in the combination's order. */
    static String key(int combinationIndex, String... values) {
        StringBuilder b = new StringBuilder().append((char) ('A' + combinationIndex));
        for (String v : values) {
            b.append(FIELD).append(v.replace(FIELD, '\uFFFD'));
        }
        return b.toString();
    }

    /** The class with the highest score; the smallest name among ties (as the slice metrics). */
    static String argMax(Map<String, Double> scores) {
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            double s = e.getValue() == null ? Double.NEGATIVE_INFINITY : e.getValue();
            if (best == null
                    || s > bestScore
                    || (s == bestScore && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                bestScore = s;
            }
        }
        return best;
    }

    byte[] toBytes() {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            out.writeByte(VERSION);
            out.writeBoolean(histograms);
            out.writeLong(unusable);
            total.write(out);
            out.writeInt(sketches.size());
            for (int d = 0; d < sketches.size(); d++) {
                byte[] sketch = sketches.get(d).toByteArray(SERDE);
                out.writeInt(sketch.length);
                out.write(sketch);
                out.writeInt(kept.get(d).size());
                for (String v : kept.get(d)) {
                    out.writeUTF(v);
                }
            }
            out.writeInt(cells.size());
            for (Map.Entry<String, SliceCell> e : cells.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().write(out);
            }
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CohortCells fromBytes(byte[] bytes) {
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException(
                        "unrecognized slice-discovery accumulator version " + version);
            }
            boolean histograms = in.readBoolean();
            long unusable = in.readLong();
            SliceCell total = SliceCell.read(in);
            int dims = in.readInt();
            List<ItemsSketch<String>> sketches = new ArrayList<>(dims);
            List<TreeSet<String>> kept = new ArrayList<>(dims);
            for (int d = 0; d < dims; d++) {
                byte[] sketch = new byte[in.readInt()];
                in.readFully(sketch);
                sketches.add(ItemsSketch.getInstance(Memory.wrap(sketch), SERDE));
                TreeSet<String> values = new TreeSet<>();
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    values.add(in.readUTF());
                }
                kept.add(values);
            }
            TreeMap<String, SliceCell> cells = new TreeMap<>();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                cells.put(in.readUTF(), SliceCell.read(in));
            }
            CohortCells c = new CohortCells(total, sketches, kept, cells, histograms);
            c.unusable = unusable;
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
