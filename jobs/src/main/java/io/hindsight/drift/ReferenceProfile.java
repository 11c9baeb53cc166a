package io.hindsight.drift;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A drift reference: for each target, the KLL sketch and exact sums or the category counts of a set
 * of predictions (a training set, a period of the predictions table), with their counts. Built one
 * prediction at a time ({@link Builder}), checked against the spec it is to serve ({@link
 * #requireCovers}), and kept as a JSON file ({@link ReferenceProfileJson} documents the format) so
 * that {@code drift.reference.type: profile} can use it.
 */
public final class ReferenceProfile {

    public static final String FORMAT = "hindsight-reference-profile";
    public static final int VERSION = 2;

    private final String application;
    private final String source;
    private final String origin;
    private final int sketchK;
    private final int maxCategories;
    private final long predictions;
    private final Map<String, Entry> features;

    /** One target's kind and values. */
    record Entry(DriftTarget.Kind kind, FeatureWindow window) {}

    /** {@code origin} names the profile in errors: its file, or what it was built from. */
    ReferenceProfile(
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

    int sketchK() {
        return sketchK;
    }

    int maxCategories() {
        return maxCategories;
    }

    /** Target name → kind and values, in order. */
    Map<String, Entry> entries() {
        return features;
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

    /** Writes the profile as JSON to {@code file} ({@link ReferenceProfileJson}). */
    public void write(Path file) throws IOException {
        ReferenceProfileJson.write(this, file);
    }

    /**
     * Reads a profile written by {@link #write} ({@link ReferenceProfileJson}).
     *
     * @throws IllegalArgumentException naming {@code file} and the problem, if it cannot be read or
     *     is not a valid profile
     */
    public static ReferenceProfile read(Path file) {
        return ReferenceProfileJson.read(file);
    }

    /** The kind as the JSON file and messages spell it. */
    static String kindName(DriftTarget.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
