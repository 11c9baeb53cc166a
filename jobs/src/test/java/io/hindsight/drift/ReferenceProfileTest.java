package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.HOUR;
import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.window.Partial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profile files: round trip, the errors a bad or mismatched file gets, use as a reference. */
class ReferenceProfileTest {

    static final JobSpec SPEC = DriftTesting.rolling(2);

    @TempDir Path dir;

    static List<Prediction> training(int n, long seed) {
        Random random = new Random(seed);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(
                    prediction(
                            "t" + i,
                            T0 - 24 * HOUR + i,
                            i % 20 == 0 ? null : 100 + random.nextGaussian() * 10,
                            i % 4 == 0 ? "app" : "web",
                            random.nextDouble()));
        }
        out.add(Prediction.newBuilder(out.get(0)).setDuplicate(true).build());
        return out;
    }

    static void assertSameReferences(ReferenceProfile a, ReferenceProfile b) {
        assertThat(b.targets()).isEqualTo(a.targets());
        for (String name : a.targets()) {
            FeatureWindow x = a.reference(name);
            FeatureWindow y = b.reference(name);
            assertThat(y.predictions()).as(name).isEqualTo(x.predictions());
            assertThat(y.values()).as(name).isEqualTo(x.values());
            if (x.numericOrNull() != null) {
                assertThat(y.numericOrNull().sketch.toByteArray())
                        .as(name)
                        .isEqualTo(x.numericOrNull().sketch.toByteArray());
                assertThat(y.numericOrNull().outOfRange).isEqualTo(x.numericOrNull().outOfRange);
                // The exact sums survive the file bit for bit, and with them σ.
                assertThat(y.numericOrNull().sum.partials())
                        .as(name)
                        .containsExactly(x.numericOrNull().sum.partials());
                assertThat(y.numericOrNull().sumOfSquares.partials())
                        .as(name)
                        .containsExactly(x.numericOrNull().sumOfSquares.partials());
                assertThat(y.numericOrNull().std()).isEqualTo(x.numericOrNull().std());
            }
            if (x.categoriesOrNull() != null) {
                assertThat(y.categoriesOrNull().sorted()).isEqualTo(x.categoriesOrNull().sorted());
            }
            assertThat(y.classes().keySet()).isEqualTo(x.classes().keySet());
            x.classes()
                    .forEach(
                            (c, v) -> {
                                assertThat(y.classes().get(c).sketch.toByteArray())
                                        .isEqualTo(v.sketch.toByteArray());
                                assertThat(y.classes().get(c).std()).isEqualTo(v.std());
                            });
        }
    }

    @Test
    void aProfileRoundTripsThroughItsFile() throws Exception {
        ReferenceProfile built = ReferenceProfile.build(training(5000, 1), SPEC);
        assertThat(built.predictions()).isEqualTo(5000); // the duplicate is skipped
        assertThat(built.reference("amount").numericOrNull().values).isEqualTo(4750);
        assertThat(built.reference("channel").categoriesOrNull().sorted())
                .containsExactly(Map.entry("app", 1250L), Map.entry("web", 3750L));

        Path file = dir.resolve("profiles/fraud.json");
        built.write(file);
        String json = Files.readString(file);
        assertThat(json).contains("\"format\" : \"hindsight-reference-profile\"");
        assertThat(json).contains("\"kind\" : \"numeric_map\"");

        ReferenceProfile read = ReferenceProfile.read(file);
        assertThat(read.application()).isEqualTo("fraud");
        assertThat(read.source()).isEqualTo("predictions");
        assertThat(read.predictions()).isEqualTo(5000);
        assertSameReferences(built, read);
        read.requireCovers(SPEC);
        assertThat(read.reference("amount").numericOrNull().std())
                .isCloseTo(
                        Exact.std(amounts(training(5000, 1))),
                        within(4 * 0x1p-53 * Exact.std(amounts(training(5000, 1)))));
    }

    static double[] amounts(List<Prediction> predictions) {
        return predictions.stream()
                .filter(p -> !p.getDuplicate())
                .filter(p -> p.getNumericFeatures().containsKey("amount"))
                .mapToDouble(p -> p.getNumericFeatures().get("amount"))
                .toArray();
    }

    @Test
    void aSumBeyondTheDoubleRangeIsWrittenAsNullAndGivesNoStandardDeviation() throws Exception {
        List<Prediction> training = new ArrayList<>(training(20, 7));
        training.add(prediction("huge", T0 - HOUR, 1e200, "web", 0.5));
        ReferenceProfile built = ReferenceProfile.build(training, SPEC);
        Path file = dir.resolve("huge.json");
        built.write(file);
        assertThat(Files.readString(file)).contains("\"sum_of_squares\" : null");

        ReferenceProfile read = ReferenceProfile.read(file);
        NumericValues amount = read.reference("amount").numericOrNull();
        assertThat(amount.sumOfSquares.overflowed()).isTrue();
        assertThat(amount.std()).isNaN();
        // The sum itself is still exact, and the other targets are untouched.
        assertThat(amount.sum.value())
                .isEqualTo(built.reference("amount").numericOrNull().sum.value());
        assertThat(read.reference("score").numericOrNull().std())
                .isEqualTo(built.reference("score").numericOrNull().std())
                .isPositive();
    }

    Path write(String json) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, json);
        return file;
    }

    /** A valid profile's JSON with {@code old} replaced by {@code new}. */
    String edited(String old, String replacement) throws Exception {
        Path file = dir.resolve("good.json");
        ReferenceProfile.build(training(50, 2), SPEC).write(file);
        String json = Files.readString(file);
        assertThat(json).contains(old);
        return json.replaceFirst(java.util.regex.Pattern.quote(old), replacement);
    }

    @Test
    void aBadFileGetsAnErrorNamingTheFileAndTheProblem() throws Exception {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> ReferenceProfile.read(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reference profile " + missing + " cannot be read:");

        Path notJson = write("{\"format\": ");
        assertThatThrownBy(() -> ReferenceProfile.read(notJson))
                .hasMessageStartingWith("reference profile " + notJson + " is not valid JSON: ");

        Path other = write("{\"hello\": 1}");
        assertThatThrownBy(() -> ReferenceProfile.read(other))
                .hasMessage(
                        "reference profile "
                                + other
                                + ": is not a Hindsight reference profile (expected \"format\":"
                                + " \"hindsight-reference-profile\")");

        Path future = write(edited("\"version\" : 2", "\"version\" : 3"));
        assertThatThrownBy(() -> ReferenceProfile.read(future))
                .hasMessage(
                        "reference profile "
                                + future
                                + ": has version 3; this Hindsight reads version 2");
        // Version 1 had no exact sums, so no standard deviation for Wasserstein.
        Path old = write(edited("\"version\" : 2", "\"version\" : 1"));
        assertThatThrownBy(() -> ReferenceProfile.read(old))
                .hasMessage(
                        "reference profile "
                                + old
                                + ": has version 1; this Hindsight reads version 2");

        Path noSum = write(edited("\"sum_of_squares\" : ", "\"squares\" : "));
        assertThatThrownBy(() -> ReferenceProfile.read(noSum))
                .hasMessage(
                        "reference profile " + noSum + ": features.amount.sum_of_squares: missing");

        Path badSum = write(edited("\"sum\" : [ ", "\"sum\" : [ \"x\", "));
        assertThatThrownBy(() -> ReferenceProfile.read(badSum))
                .hasMessageStartingWith(
                        "reference profile "
                                + badSum
                                + ": features.amount.sum: expected an array of finite numbers"
                                + " (the partials of an exact sum) or null, got [\"x\",");

        Path badSketch = write(edited("\"sketch\" : \"", "\"sketch\" : \"AAAA"));
        assertThatThrownBy(() -> ReferenceProfile.read(badSketch))
                .hasMessageStartingWith(
                        "reference profile "
                                + badSketch
                                + ": features.amount.sketch: not a KLL"
                                + " sketch (");

        Path badCount = write(edited("\"values\" : 47,", "\"values\" : 46,"));
        assertThatThrownBy(() -> ReferenceProfile.read(badCount))
                .hasMessage(
                        "reference profile "
                                + badCount
                                + ": features.amount: values is 46 but the sketch holds 47");

        Path noKind = write(edited("\"kind\" : \"categorical\",", ""));
        assertThatThrownBy(() -> ReferenceProfile.read(noKind))
                .hasMessage("reference profile " + noKind + ": features.channel.kind: missing");

        Path negative = write(edited("\"other\" : 0", "\"other\" : -3"));
        assertThatThrownBy(() -> ReferenceProfile.read(negative))
                .hasMessage(
                        "reference profile "
                                + negative
                                + ": features.channel.other: expected a non-negative integer,"
                                + " got -3");
    }

    @Test
    void aProfileThatDoesNotFitTheSpecNamesEveryMismatch() throws Exception {
        // A profile of an older spec: amount, merchant and the score only.
        String older =
                DriftTesting.yaml("{type: rolling, windows: 2}", "")
                        .replace("      scores: scores\n", "")
                        .replace("      predicted-class: predicted_class\n", "")
                        .replace(
                                "      - {name: channel, type: categorical}\n"
                                        + "      - {name: note, type: text, projections: [length]}\n",
                                "      - {name: merchant, type: categorical}\n");
        ReferenceProfile profile =
                ReferenceProfile.build(training(10, 6), SpecLoader.parse(older, Map.of()));
        Path file = dir.resolve("older.json");
        profile.write(file);

        ReferenceProfile read = ReferenceProfile.read(file);
        assertThatThrownBy(() -> read.requireCovers(SPEC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "reference profile "
                                + file.toAbsolutePath()
                                + " does not fit the spec: has no feature 'channel' (it has:"
                                + " amount, merchant, score); has no feature 'note.length' (it"
                                + " has: amount, merchant, score); has no feature"
                                + " 'predicted_class' (it has: amount, merchant, score); has no"
                                + " feature 'scores' (it has: amount, merchant, score)");
    }

    @Test
    void aKindOrApplicationMismatchIsNamed() throws Exception {
        Path file = dir.resolve("p.json");
        ReferenceProfile.build(training(50, 3), SPEC).write(file);
        String json =
                Files.readString(file)
                        .replace("\"application\" : \"fraud\"", "\"application\" : \"churn\"");
        // channel as numeric: a valid numeric entry under its name.
        String numericEntry =
                "\"channel\" : {\"kind\" : \"numeric\", \"predictions\" : 0, \"values\" : 0,"
                        + " \"out_of_range\" : 0, \"non_finite\" : 0, \"sum\" : [],"
                        + " \"sum_of_squares\" : [], \"sketch\" : \""
                        + java.util.Base64.getEncoder()
                                .encodeToString(
                                        org.apache.datasketches.kll.KllDoublesSketch
                                                .newHeapInstance(200)
                                                .toByteArray())
                        + "\"},";
        json = json.replaceFirst("\"channel\" : \\{[^}]*\\{[^}]*\\}[^}]*\\},", numericEntry);
        Files.writeString(file, json);
        ReferenceProfile read = ReferenceProfile.read(file);
        assertThatThrownBy(() -> read.requireCovers(SPEC))
                .hasMessage(
                        "reference profile "
                                + file.toAbsolutePath()
                                + " does not fit the spec: built for application 'churn', the"
                                + " spec is for 'fraud'; feature 'channel' is numeric in the"
                                + " profile, categorical in the spec");
    }

    @Test
    void aProfileIsTheReferenceOfEveryWindow() throws Exception {
        List<Prediction> training = training(150, 4);
        ReferenceProfile profile = ReferenceProfile.build(training, SPEC);
        Path file = dir.resolve("ref.json");
        profile.write(file);
        JobSpec spec = DriftTesting.spec("{type: profile, file: " + file + "}", "");
        ReferenceProfile resolved = ReferenceProfiles.forSpec(spec, null);

        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DriftMergeFunction(
                                        spec, ReferenceProfiles.label(spec), resolved)),
                        new DriftPipeline.ByKey(),
                        Types.STRING);
        try (h) {
            h.open();
            List<Prediction> window = new ArrayList<>();
            Random random = new Random(5);
            for (int i = 0; i < 100; i++) {
                window.add(
                        prediction("w" + i, T0 + i, 110 + random.nextGaussian() * 10, "web", 0.5));
            }
            FeatureWindow acc = new FeatureWindow(200, 100);
            DriftTarget amount = DriftTarget.of(spec).get(0);
            window.forEach(p -> DriftFolder.add(p, amount, acc));
            h.processElement(
                    new StreamRecord<>(
                            new Partial(
                                    DriftFolder.key("fraud", "amount"),
                                    T0,
                                    T0 + HOUR,
                                    acc.encode()),
                            T0 + HOUR - 1));
            h.processWatermark(new Watermark(T0 + HOUR));
            DriftResult row = h.extractOutputValues().get(0);
            assertThat(row.getReference()).isEqualTo("profile:" + file);
            assertThat(row.getReferenceValues()).isEqualTo(142); // 150 minus every 20th missing
            double[] ws =
                    Exact.sorted(
                            window.stream()
                                    .mapToDouble(p -> p.getNumericFeatures().get("amount"))
                                    .toArray());
            double[] rs =
                    Exact.sorted(
                            training.stream()
                                    .filter(p -> !p.getDuplicate())
                                    .filter(p -> p.getNumericFeatures().containsKey("amount"))
                                    .mapToDouble(p -> p.getNumericFeatures().get("amount"))
                                    .toArray());
            assertThat(row.getKolmogorovSmirnov()).isCloseTo(Exact.ks(ws, rs), within(1e-12));
            // σ of the training values from the exact sums the file carries.
            assertThat(row.getWasserstein())
                    .isCloseTo(Exact.wasserstein(ws, rs) / Exact.std(rs), within(1e-12));
        }
    }
}
