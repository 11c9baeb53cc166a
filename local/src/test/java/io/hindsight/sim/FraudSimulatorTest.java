package io.hindsight.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.sim.SimulatedEvent.Kind;
import io.hindsight.sim.SimulatedEvent.Malformation;
import io.hindsight.sim.SimulatedEvent.RawPayload;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FraudSimulatorTest {

    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    static FraudSchemas schemas;

    @BeforeAll
    static void loadSchemas() throws IOException {
        schemas = FraudSchemas.load(exampleDir());
    }

    static Path exampleDir() {
        return Path.of(System.getProperty("hindsight.home", "..")).resolve("examples/fraud");
    }

    static FraudSimulator simulator(long seed, Duration duration, int perHour) {
        return new FraudSimulator(SimulationPlan.defaults(seed, START, duration, perHour), schemas);
    }

    @Test
    void sameSeedYieldsTheSameSequenceAndAnotherSeedAnother() {
        FraudSimulator simulator = simulator(42, Duration.ofDays(3), 300);
        List<String> first = fingerprints(simulator);
        List<String> second = fingerprints(simulator);
        List<String> fresh = fingerprints(simulator(42, Duration.ofDays(3), 300));
        List<String> otherSeed = fingerprints(simulator(43, Duration.ofDays(3), 300));

        assertThat(first).hasSizeGreaterThan(20_000);
        assertThat(second).isEqualTo(first);
        assertThat(fresh).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    private static List<String> fingerprints(FraudSimulator simulator) {
        PlainAvroEncoder encoder = new PlainAvroEncoder();
        List<String> out = new ArrayList<>();
        for (SimulatedEvent e : simulator) {
            out.add(
                    e.sequence()
                            + "|"
                            + e.kind()
                            + "|"
                            + e.topic()
                            + "|"
                            + e.key()
                            + "|"
                            + e.timestampMillis()
                            + "|"
                            + Arrays.hashCode(bytes(encoder, e)));
        }
        return out;
    }

    static byte[] bytes(PlainAvroEncoder encoder, SimulatedEvent e) {
        return e.payload() instanceof RawPayload raw
                ? raw.bytes()
                : encoder.encode(e.topic().name(), e.record());
    }

    /**
     * Recomputes the documented fractions from the records themselves (ids, fields, stream order),
     * not from the simulator's ground-truth flags, except where only the truth can tell (is a
     * payment actually fraud).
     */
    @Test
    void fractionsLandWithinTolerance() {
        FraudSimulator simulator = simulator(7, Duration.ofDays(90), 150);
        SimulationPlan plan = simulator.plan();
        long end = plan.end().toEpochMilli();
        long allChargebacksIn = end - plan.labelDelays().max().toMillis() - 60_000;
        long allReviewsIn = end - plan.labelDelays().reviewMax().toMillis();

        Map<String, long[]> predictions = new HashMap<>(); // id -> {ts, fraud, version v7}
        Set<String> chargebackIds = new HashSet<>();
        Set<String> feedbackBeforePrediction = new HashSet<>();
        Map<String, Boolean> labelOf = new HashMap<>();
        Map<String, Long> reportedAtOf = new HashMap<>();
        long validPredictions = 0;
        long duplicatePredictions = 0;
        long feedbackEvents = 0;
        long duplicateFeedback = 0;
        long malformedByInspection = 0;
        Map<TopicRole, Long> malformedPerTopic = new EnumMap<>(TopicRole.class);
        long afterRollout = 0;
        long v7AfterRollout = 0;
        long[] perHourOfDay = new long[24];
        double[] scoreSum = new double[10];
        long[] binCount = new long[10];
        long[] binFraud = new long[10];

        for (SimulatedEvent e : simulator) {
            boolean malformed = looksMalformed(e, end);
            assertThat(malformed).isEqualTo(e.kind() == Kind.MALFORMED);
            if (malformed) {
                malformedByInspection++;
                malformedPerTopic.merge(e.topic(), 1L, Long::sum);
                continue;
            }
            GenericRecord r = e.record();
            if (e.topic() == TopicRole.PREDICTIONS) {
                String id = ((GenericRecord) r.get("request")).get("id").toString();
                if (predictions.containsKey(id)) {
                    duplicatePredictions++;
                    continue;
                }
                validPredictions++;
                long ts = (Long) ((GenericRecord) r.get("request")).get("ts");
                String version = ((GenericRecord) r.get("model")).get("version").toString();
                boolean fraud = e.truth().fraud();
                predictions.put(id, new long[] {ts, fraud ? 1 : 0, version.equals("v7") ? 1 : 0});
                if (ts >= plan.v7RolloutAt().toEpochMilli()) {
                    afterRollout++;
                    v7AfterRollout += version.equals("v7") ? 1 : 0;
                }
                perHourOfDay[Instant.ofEpochMilli(ts).atZone(ZoneOffset.UTC).getHour()]++;
                double score = (Double) r.get("fraud_probability");
                int bin = Math.min(9, (int) (score * 10));
                scoreSum[bin] += score;
                binCount[bin]++;
                binFraud[bin] += fraud ? 1 : 0;
            } else {
                String chargebackId = r.get("chargeback_id").toString();
                if (!chargebackIds.add(chargebackId)) {
                    duplicateFeedback++;
                    continue;
                }
                feedbackEvents++;
                String paymentId = r.get("payment_request_id").toString();
                if (!predictions.containsKey(paymentId)) {
                    feedbackBeforePrediction.add(paymentId);
                }
                labelOf.put(paymentId, (Boolean) r.get("is_fraud"));
                reportedAtOf.put(paymentId, (Long) r.get("reported_at"));
            }
        }
        // Feedback whose payment never shows up is an orphan, not early.
        Set<String> orphans = new HashSet<>(feedbackBeforePrediction);
        orphans.removeAll(predictions.keySet());
        feedbackBeforePrediction.retainAll(predictions.keySet());

        long fraudPayments = 0;
        long oldFraud = 0;
        long oldFraudWithChargeback = 0;
        long oldLegit = 0;
        long oldLegitReviewed = 0;
        List<Long> chargebackDelays = new ArrayList<>();
        for (Map.Entry<String, long[]> p : predictions.entrySet()) {
            long ts = p.getValue()[0];
            boolean fraud = p.getValue()[1] == 1;
            Boolean label = labelOf.get(p.getKey());
            fraudPayments += fraud ? 1 : 0;
            if (label != null) {
                assertThat(label).as("label of %s", p.getKey()).isEqualTo(fraud);
                long delay = reportedAtOf.get(p.getKey()) - ts;
                // Only payments old enough for every chargeback to have arrived: later ones
                // would bias the delays towards short ones.
                if (fraud && delay > 0 && ts < allChargebacksIn) {
                    chargebackDelays.add(delay);
                }
            }
            if (fraud && ts < allChargebacksIn) {
                oldFraud++;
                oldFraudWithChargeback += label != null ? 1 : 0;
            }
            if (!fraud && ts < allReviewsIn) {
                oldLegit++;
                oldLegitReviewed += label != null ? 1 : 0;
            }
        }

        assertThat(validPredictions).isBetween(300_000L, 350_000L);
        assertThat((double) fraudPayments / validPredictions).isCloseTo(0.03, within(0.002));
        assertThat((double) oldFraudWithChargeback / oldFraud).isCloseTo(0.85, within(0.025));
        assertThat((double) oldLegitReviewed / oldLegit).isCloseTo(0.10, within(0.004));
        assertThat((double) feedbackBeforePrediction.size() / feedbackEvents)
                .isCloseTo(0.005, within(0.0015));
        assertThat((double) orphans.size() / validPredictions).isCloseTo(0.001, within(0.0003));
        assertThat((double) duplicatePredictions / validPredictions)
                .isCloseTo(0.005, within(0.001));
        assertThat((double) duplicateFeedback / feedbackEvents).isCloseTo(0.01, within(0.002));
        assertThat(malformedPerTopic.get(TopicRole.PREDICTIONS) / (double) validPredictions)
                .isCloseTo(0.0005, within(0.00018));
        assertThat(malformedPerTopic.get(TopicRole.FEEDBACK) / (double) validPredictions)
                .isCloseTo(0.0005, within(0.00018));
        assertThat(malformedByInspection)
                .isEqualTo(
                        malformedPerTopic.get(TopicRole.PREDICTIONS)
                                + malformedPerTopic.get(TopicRole.FEEDBACK));
        assertThat((double) v7AfterRollout / afterRollout).isCloseTo(0.5, within(0.01));

        // Daily cycle: afternoon (14-18 UTC) busier than night (02-06 UTC).
        long afternoon = perHourOfDay[14] + perHourOfDay[15] + perHourOfDay[16] + perHourOfDay[17];
        long night = perHourOfDay[2] + perHourOfDay[3] + perHourOfDay[4] + perHourOfDay[5];
        assertThat((double) afternoon / night).isGreaterThan(2.5);

        // Calibrated-ish: in every well-populated score decile the observed fraud rate is close
        // to the mean score.
        for (int bin = 0; bin < 10; bin++) {
            if (binCount[bin] >= 300) {
                assertThat((double) binFraud[bin] / binCount[bin])
                        .as("fraud rate for scores in [%.1f, %.1f)", bin / 10.0, (bin + 1) / 10.0)
                        .isCloseTo(scoreSum[bin] / binCount[bin], within(0.06));
            }
        }

        // Label delays: minutes to ~50 days, heavy-tailed, median about a week.
        chargebackDelays.sort(null);
        assertThat(chargebackDelays.get(0)).isGreaterThanOrEqualTo(60_000L);
        assertThat(chargebackDelays.get(chargebackDelays.size() - 1))
                .isLessThanOrEqualTo(Duration.ofDays(50).toMillis());
        assertThat(chargebackDelays.stream().filter(d -> d < 3_600_000L).count())
                .isGreaterThan(100);
        assertThat(chargebackDelays.stream().filter(d -> d > Duration.ofDays(30).toMillis()))
                .isNotEmpty();
        long median = chargebackDelays.get(chargebackDelays.size() / 2);
        assertThat(median).isBetween(Duration.ofDays(6).toMillis(), Duration.ofDays(9).toMillis());
    }

    private static boolean looksMalformed(SimulatedEvent e, long end) {
        if (e.payload() instanceof RawPayload) {
            return true;
        }
        GenericRecord r = e.record();
        String id;
        long eventTime;
        if (e.topic() == TopicRole.PREDICTIONS) {
            GenericRecord request = (GenericRecord) r.get("request");
            id = request.get("id").toString();
            eventTime = (Long) request.get("ts");
        } else {
            id = r.get("payment_request_id").toString();
            eventTime = (Long) r.get("reported_at");
        }
        return id.isEmpty() || eventTime > end + Duration.ofDays(365).toMillis();
    }

    @Test
    void driftShowsAfterDriftAtOnlyWhereInjected() {
        FraudSimulator simulator = simulator(11, Duration.ofDays(40), 200);
        long driftAt = simulator.plan().driftAt().toEpochMilli();
        long rollout = simulator.plan().v7RolloutAt().toEpochMilli();
        double[][] amounts = new double[2][2]; // [web?1:0][after?1:0] sums
        long[][] counts = new long[2][2];
        // v7 x BR, before/after drift: score sums and counts by truth.
        double[][] scoreByFraud = new double[2][2]; // [after][fraud]
        long[][] nByFraud = new long[2][2];
        for (SimulatedEvent e : simulator) {
            if (e.kind() != Kind.PREDICTION || e.truth().duplicate()) {
                continue;
            }
            GenericRecord r = e.record();
            long ts = e.timestampMillis();
            int after = ts >= driftAt ? 1 : 0;
            GenericRecord context = (GenericRecord) r.get("context");
            String channel = context.get("channel").toString();
            if (!channel.equals("pos")) {
                int web = channel.equals("web") ? 1 : 0;
                amounts[web][after] += (Double) ((GenericRecord) r.get("features")).get("amount");
                counts[web][after]++;
            }
            String version = ((GenericRecord) r.get("model")).get("version").toString();
            if (ts >= rollout
                    && version.equals("v7")
                    && context.get("country").toString().equals("BR")) {
                int fraud = e.truth().fraud() ? 1 : 0;
                scoreByFraud[after][fraud] += (Double) r.get("fraud_probability");
                nByFraud[after][fraud]++;
            }
        }
        double webBefore = amounts[1][0] / counts[1][0];
        double webAfter = amounts[1][1] / counts[1][1];
        double appBefore = amounts[0][0] / counts[0][0];
        double appAfter = amounts[0][1] / counts[0][1];
        assertThat(webAfter / webBefore).isBetween(1.5, 2.2);
        assertThat(appAfter / appBefore).isBetween(0.85, 1.15);

        assertThat(nByFraud[0][1]).isGreaterThan(30);
        assertThat(nByFraud[1][1]).isGreaterThan(30);
        double separationBefore =
                scoreByFraud[0][1] / nByFraud[0][1] - scoreByFraud[0][0] / nByFraud[0][0];
        double separationAfter =
                scoreByFraud[1][1] / nByFraud[1][1] - scoreByFraud[1][0] / nByFraud[1][0];
        assertThat(separationBefore).isGreaterThan(0.4);
        assertThat(Math.abs(separationAfter)).isLessThan(0.1);
    }

    @Test
    void earlyFeedbackPrecedesItsPredictionInStreamOrder() {
        List<SimulatedEvent> events = simulator(5, Duration.ofDays(10), 400).stream().toList();
        Map<String, SimulatedEvent> firstPrediction = new HashMap<>();
        for (SimulatedEvent e : events) {
            if (e.kind() == Kind.PREDICTION) {
                firstPrediction.putIfAbsent(e.key(), e);
            }
        }
        List<SimulatedEvent> early =
                events.stream().filter(e -> e.truth().beforePrediction()).toList();
        assertThat(early).hasSizeGreaterThan(10);
        for (SimulatedEvent feedback : early) {
            SimulatedEvent prediction = firstPrediction.get(feedback.key());
            assertThat(prediction).as("prediction of %s", feedback.key()).isNotNull();
            assertThat(feedback.sequence()).isLessThan(prediction.sequence());
            assertThat(feedback.timestampMillis()).isLessThan(prediction.timestampMillis());
            assertThat(prediction.timestampMillis() - feedback.timestampMillis())
                    .isLessThanOrEqualTo(
                            SimulationPlan.LabelDelays.defaults().maxClockSkew().toMillis());
        }
    }

    @Test
    void streamIsOrderedByTimestampWithinTheDocumentedBound() {
        long maxSoFar = 0;
        long worstLag = 0;
        long previousSequence = -1;
        for (SimulatedEvent e : simulator(3, Duration.ofDays(10), 400)) {
            assertThat(e.sequence()).isEqualTo(previousSequence + 1);
            if (previousSequence >= 0) {
                worstLag = Math.max(worstLag, maxSoFar - e.timestampMillis());
            }
            previousSequence = e.sequence();
            maxSoFar = Math.max(maxSoFar, e.timestampMillis());
        }
        assertThat(worstLag)
                .isPositive()
                .isLessThanOrEqualTo(FraudSimulator.MAX_OUT_OF_ORDERNESS.toMillis());
        assertThat(maxSoFar).isLessThan(START.plus(Duration.ofDays(10)).toEpochMilli());
    }

    @Test
    void duplicatesAreExactByteDuplicatesOfAnEarlierRecord() {
        PlainAvroEncoder encoder = new PlainAvroEncoder();
        Map<String, SimulatedEvent> originals = new HashMap<>();
        Map<TopicRole, Integer> duplicates = new EnumMap<>(TopicRole.class);
        for (SimulatedEvent e : simulator(9, Duration.ofDays(10), 400)) {
            if (e.kind() == Kind.MALFORMED) {
                continue;
            }
            String identity =
                    e.topic() == TopicRole.PREDICTIONS
                            ? "p:" + e.key()
                            : "f:" + e.record().get("chargeback_id");
            SimulatedEvent original = originals.putIfAbsent(identity, e);
            assertThat(original != null)
                    .as("%s is a re-send", identity)
                    .isEqualTo(e.truth().duplicate());
            if (original != null) {
                duplicates.merge(e.topic(), 1, Integer::sum);
                assertThat(e.key()).isEqualTo(original.key());
                assertThat(e.timestampMillis()).isEqualTo(original.timestampMillis());
                assertThat(bytes(encoder, e)).isEqualTo(bytes(encoder, original));
                assertThat(e.sequence()).isGreaterThan(original.sequence());
            }
        }
        assertThat(duplicates.get(TopicRole.PREDICTIONS)).isGreaterThan(100);
        assertThat(duplicates.get(TopicRole.FEEDBACK)).isGreaterThan(10);
    }

    @Test
    void malformedRecordsOfEveryKindReachBothTopics() throws IOException {
        Map<TopicRole, Set<Malformation>> seen = new EnumMap<>(TopicRole.class);
        long far = START.plus(Duration.ofDays(365 * 100)).toEpochMilli();
        for (SimulatedEvent e : simulator(13, Duration.ofDays(20), 400)) {
            if (e.kind() != Kind.MALFORMED) {
                assertThat(e.truth().malformation()).isEqualTo(Malformation.NONE);
                continue;
            }
            Malformation m = e.truth().malformation();
            seen.computeIfAbsent(e.topic(), t -> new HashSet<>()).add(m);
            Schema schema =
                    e.topic() == TopicRole.PREDICTIONS ? schemas.prediction() : schemas.feedback();
            switch (m) {
                case GARBAGE_BYTES -> {
                    byte[] garbage = ((RawPayload) e.payload()).bytes();
                    assertThatThrownBy(() -> decode(schema, garbage)).isInstanceOf(Exception.class);
                }
                case EMPTY_ID -> assertThat(joinKey(e)).isEmpty();
                case FUTURE_TIMESTAMP -> {
                    assertThat(eventTime(e)).isGreaterThan(far);
                    // The Kafka timestamp stays the arrival time: a broker would refuse the other.
                    assertThat(e.timestampMillis()).isLessThan(far);
                }
                case NONE -> throw new AssertionError("malformed event without malformation");
            }
        }
        Set<Malformation> all =
                Set.of(
                        Malformation.GARBAGE_BYTES,
                        Malformation.EMPTY_ID,
                        Malformation.FUTURE_TIMESTAMP);
        assertThat(seen.get(TopicRole.PREDICTIONS)).isEqualTo(all);
        assertThat(seen.get(TopicRole.FEEDBACK)).isEqualTo(all);
    }

    @Test
    void everyAvroRecordValidatesAgainstTheExampleSchemaFiles() throws IOException {
        // Parse the files again, independently of the simulator's own instances.
        FraudSchemas fromFiles = FraudSchemas.load(exampleDir());
        PlainAvroEncoder encoder = new PlainAvroEncoder();
        int checked = 0;
        for (SimulatedEvent e : simulator(17, Duration.ofDays(3), 400)) {
            if (e.payload() instanceof RawPayload) {
                continue;
            }
            Schema schema =
                    e.topic() == TopicRole.PREDICTIONS
                            ? fromFiles.prediction()
                            : fromFiles.feedback();
            assertThat(GenericData.get().validate(schema, e.record()))
                    .as("event %s", e.sequence())
                    .isTrue();
            GenericRecord decoded = decode(schema, encoder.encode("t", e.record()));
            assertThat(decoded.toString()).isEqualTo(e.record().toString());
            checked++;
        }
        assertThat(checked).isGreaterThan(25_000);
    }

    @Test
    void invalidPlanSaysWhichValueIsWrong() {
        SimulationPlan plan = SimulationPlan.defaults(1, START, Duration.ofDays(1), 10);
        assertThatThrownBy(
                        () ->
                                new SimulationPlan(
                                        1,
                                        START,
                                        Duration.ofDays(1),
                                        10,
                                        plan.v7RolloutAt(),
                                        0.5,
                                        plan.driftAt(),
                                        1.8,
                                        1.5,
                                        0.85,
                                        0.1,
                                        plan.labelDelays(),
                                        0.005,
                                        0.005,
                                        0.01,
                                        0.001,
                                        0.0005))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("simulation plan: fraudRate is 1.5, must be a share in [0, 1]");
        assertThatThrownBy(() -> SimulationPlan.defaults(1, START, Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("simulation plan: duration is PT0S, must be > 0");
    }

    private static GenericRecord decode(Schema schema, byte[] bytes) throws IOException {
        var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException(
                    "trailing bytes after a " + schema.getName() + " in " + bytes.length);
        }
        return record;
    }

    private static String joinKey(SimulatedEvent e) {
        GenericRecord r = e.record();
        return e.topic() == TopicRole.PREDICTIONS
                ? ((GenericRecord) r.get("request")).get("id").toString()
                : r.get("payment_request_id").toString();
    }

    private static long eventTime(SimulatedEvent e) {
        GenericRecord r = e.record();
        return e.topic() == TopicRole.PREDICTIONS
                ? (Long) ((GenericRecord) r.get("request")).get("ts")
                : (Long) r.get("reported_at");
    }
}
