package io.hindsight.sim;

import io.hindsight.sim.SimulatedEvent.AvroPayload;
import io.hindsight.sim.SimulatedEvent.Kind;
import io.hindsight.sim.SimulatedEvent.Malformation;
import io.hindsight.sim.SimulatedEvent.Payload;
import io.hindsight.sim.SimulatedEvent.RawPayload;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import io.hindsight.sim.SimulatedEvent.Truth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Plays a payment fraud model in production, in simulated event time: the payment team's own
 * prediction log ({@code FraudScore}) and their back office's chargebacks and reviews ({@code
 * Chargeback}), as two Kafka topics would receive them. Deterministic: the same {@link
 * SimulationPlan} (seed included) yields the same events, byte for byte.
 *
 * <p>What is simulated, with the defaults of {@link SimulationPlan#defaults}:
 *
 * <ul>
 *   <li><b>Traffic</b>: payments arrive as a Poisson process of {@code predictionsPerHour} on
 *       average, with a daily cycle (±60 %, peak 16:00 UTC, trough 04:00 UTC). Each is scored by
 *       model {@value #MODEL_NAME}: v6 only until {@code v7RolloutAt} (the middle of the run), then
 *       v7 for {@code v7Share} = 50 % of payments.
 *   <li><b>Tags and features</b>: country US 35 %, DE 15 %, GB 12 %, FR 10 %, BR 10 %, IN 10 %, MX
 *       8 %; channel web 45 %, app 35 %, pos 20 % (fraud: 65 / 30 / 5 %); amount lognormal (median
 *       45, log-sd 1.0; fraud median 140, log-sd 1.1); {@code account_age_days} null for 5 % (guest
 *       checkout), else exponential (mean 800 days; fraud 45 days); card present for 97 % of pos
 *       payments and never online; 500 merchants in 8 categories, fraud leaning to electronics,
 *       gaming and travel.
 *   <li><b>Ground truth and scores</b>: {@code fraudRate} = 3 % of payments are fraud. The model
 *       sees a noisy signal {@code s ~ N(d·fraud, 1)} (separation d = 2.5 for v6, 3.0 for v7) and
 *       reports the exact posterior {@code P(fraud | s)}, so scores are calibrated (AUC ≈ 0.96 /
 *       0.98).
 *   <li><b>Feedback</b>: {@code chargebackRate} = 85 % of fraud payments get a chargeback ({@code
 *       is_fraud = true}, a reason code): 15 % as fast disputes (lognormal, median 45 min), the
 *       rest after days to weeks (lognormal, median 9 days, log-sd 0.7), every delay between 1
 *       minute and 50 days. {@code legitimateReviewRate} = 10 % of legitimate payments are
 *       confirmed by a review ({@code is_fraud = false}, no reason code) 2 hours to 5 days later.
 *       All other predictions never get feedback, and neither do those whose feedback would arrive
 *       after the end of the run (still waiting).
 *   <li><b>Feedback before its prediction</b>: {@code earlyFeedbackRate} = 0.5 % of feedback events
 *       are stamped 1 s to {@code maxClockSkew} (50 s) <em>before</em> their payment (clock skew
 *       between systems) and are emitted before the prediction.
 *   <li><b>Duplicates</b>: {@code duplicatePredictionRate} = 0.5 % of predictions and {@code
 *       duplicateFeedbackRate} = 1 % of feedback events are re-sent: same key, same timestamp, same
 *       bytes, up to 60 s after the original.
 *   <li><b>Orphans</b>: {@code orphanFeedbackRate} = 0.1 feedback events per 100 predictions
 *       concern payments that were never scored.
 *   <li><b>Malformed records</b>, {@code malformedRate} = 0.05 per 100 predictions on each topic,
 *       in equal thirds: garbage bytes (a JSON text from a misconfigured producer), a valid record
 *       whose join key is empty, and a valid record whose event time ({@code request.ts} or {@code
 *       reported_at}) lies ~200 years in the future. The Kafka timestamp of a malformed record is
 *       its arrival time: a broker would reject a far-future record timestamp.
 *   <li><b>Drift</b> from {@code driftAt} (three quarters into the run): amounts on channel {@value
 *       #DRIFTED_CHANNEL} are multiplied by {@code webAmountDriftFactor} = 1.8 (input drift); and
 *       model {@value #DEGRADED_VERSION} becomes uninformative for country {@value
 *       #DEGRADED_COUNTRY}: its signal no longer depends on the truth, so its scores keep their
 *       distribution (no score drift) while its precision and recall collapse (visible only through
 *       labels).
 * </ul>
 *
 * <p>Order: events come in order of arrival. The Kafka timestamp is the event time ({@code
 * request.ts} of a prediction, {@code reported_at} of feedback); predictions arrive up to 30 s
 * after their event time and re-sends up to 60 s after their original, so timestamps are out of
 * order by at most {@link #MAX_OUT_OF_ORDERNESS} (2 minutes), with no exception.
 */
public final class FraudSimulator implements Iterable<SimulatedEvent> {

    /** Bound on how far a record timestamp may lie behind an earlier record's in the stream. */
    public static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofMinutes(2);

    public static final String MODEL_NAME = "fraud-scorer";
    public static final String DRIFTED_CHANNEL = "web";
    public static final String DEGRADED_VERSION = "v7";
    public static final String DEGRADED_COUNTRY = "BR";

    static final List<String> COUNTRIES = List.of("US", "DE", "GB", "FR", "BR", "IN", "MX");
    private static final double[] COUNTRY_WEIGHTS = {0.35, 0.15, 0.12, 0.10, 0.10, 0.10, 0.08};
    static final List<String> CHANNELS = List.of("web", "app", "pos");
    private static final double[] CHANNEL_WEIGHTS = {0.45, 0.35, 0.20};
    private static final double[] FRAUD_CHANNEL_WEIGHTS = {0.65, 0.30, 0.05};
    private static final List<String> CATEGORIES =
            List.of(
                    "grocery",
                    "restaurants",
                    "fashion",
                    "fuel",
                    "pharmacy",
                    "electronics",
                    "gaming",
                    "travel");
    private static final int FIRST_RISKY_CATEGORY = 5;
    private static final int MERCHANTS = 500;
    private static final List<String> REASON_CODES =
            List.of("10.4", "10.4", "10.4", "10.3", "4837", "4863", "UA02");

    private static final long MAX_ARRIVAL_JITTER_MS = 30_000;
    private static final long MAX_RESEND_GAP_MS = 60_000;
    private static final long MIN_LABEL_DELAY_MS = 60_000;
    private static final double FAST_DISPUTE_SIGMA = 1.2;
    private static final long FUTURE_OFFSET_MS = Duration.ofDays(365L * 200).toMillis();
    private static final double DAILY_AMPLITUDE = 0.6;
    private static final double PEAK_HOUR_UTC = 16;
    private static final double GUEST_SHARE = 0.05;

    private final SimulationPlan plan;
    private final FraudSchemas schemas;

    public FraudSimulator(SimulationPlan plan, FraudSchemas schemas) {
        this.plan = plan;
        this.schemas = schemas;
    }

    public SimulationPlan plan() {
        return plan;
    }

    public FraudSchemas schemas() {
        return schemas;
    }

    /** A fresh run from the plan's seed: every iterator yields the same sequence. */
    @Override
    public Iterator<SimulatedEvent> iterator() {
        return new Run();
    }

    /** The events as a sequential stream (a fresh run). */
    public Stream<SimulatedEvent> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(
                        iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    /** An event waiting for its arrival time. */
    private record Pending(
            long arrivalMillis,
            long order,
            Kind kind,
            TopicRole topic,
            String key,
            Payload payload,
            long timestampMillis,
            Truth truth) {}

    /** The sampled attributes of one payment and its score. */
    private record Payment(
            String id,
            long timeMillis,
            boolean fraud,
            String version,
            String country,
            String channel,
            double amount,
            Integer accountAgeDays,
            String merchantId,
            String merchantCategory,
            boolean cardPresent,
            double score) {}

    /** One pass over the plan. */
    private final class Run implements Iterator<SimulatedEvent> {
        private final SplittableRandom rng = new SplittableRandom(plan.seed());
        private final PriorityQueue<Pending> queue =
                new PriorityQueue<>(
                        Comparator.comparingLong(Pending::arrivalMillis)
                                .thenComparingLong(Pending::order));
        private final long endMillis = plan.end().toEpochMilli();
        private final long driftMillis = plan.driftAt().toEpochMilli();
        private final long rolloutMillis = plan.v7RolloutAt().toEpochMilli();
        private final long lookaheadMillis = MAX_OUT_OF_ORDERNESS.toMillis();
        private final double peakRatePerMs =
                plan.predictionsPerHour() * (1 + DAILY_AMPLITUDE) / 3_600_000.0;
        private final long earlySkewRangeMillis =
                Math.max(1, plan.labelDelays().maxClockSkew().toMillis() - 1_000);
        private final double priorLogit;
        private double nextPaymentMillis;
        private long order;
        private long sequence;

        Run() {
            double prior = Math.min(Math.max(plan.fraudRate(), 1e-6), 1 - 1e-6);
            priorLogit = Math.log(prior / (1 - prior));
            nextPaymentMillis = nextPaymentAfter(plan.start().toEpochMilli());
        }

        @Override
        public boolean hasNext() {
            fill();
            return !queue.isEmpty() && queue.peek().arrivalMillis() < endMillis;
        }

        @Override
        public SimulatedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the simulation has ended at " + plan.end());
            }
            Pending p = queue.poll();
            return new SimulatedEvent(
                    sequence++,
                    p.kind(),
                    p.topic(),
                    p.key(),
                    p.payload(),
                    p.timestampMillis(),
                    p.truth());
        }

        /**
         * Generates payments until the next one lies beyond the earliest pending arrival plus the
         * largest backdating (early feedback), so nothing generated later can arrive earlier.
         */
        private void fill() {
            while (nextPaymentMillis < endMillis
                    && (queue.isEmpty()
                            || nextPaymentMillis
                                    <= queue.peek().arrivalMillis() + lookaheadMillis)) {
                simulatePayment((long) nextPaymentMillis);
                nextPaymentMillis = nextPaymentAfter(nextPaymentMillis);
            }
        }

        /** Thinning of a Poisson process whose rate follows the daily cycle. */
        private double nextPaymentAfter(double fromMillis) {
            double t = fromMillis;
            while (true) {
                t += rng.nextExponential() / peakRatePerMs;
                double hour = (t % 86_400_000.0) / 3_600_000.0;
                double relativeRate =
                        (1 + DAILY_AMPLITUDE * Math.cos(2 * Math.PI * (hour - PEAK_HOUR_UTC) / 24))
                                / (1 + DAILY_AMPLITUDE);
                if (rng.nextDouble() < relativeRate) {
                    return t;
                }
            }
        }

        private void simulatePayment(long ts) {
            Payment payment = samplePayment(ts, uuid());
            long arrival = ts + rng.nextLong(MAX_ARRIVAL_JITTER_MS + 1);
            Truth truth =
                    new Truth(
                            payment.id(),
                            payment.fraud(),
                            payment.version(),
                            false,
                            false,
                            false,
                            Malformation.NONE);
            AvroPayload prediction = new AvroPayload(predictionRecord(payment, ts));
            emitWithResend(
                    arrival,
                    Kind.PREDICTION,
                    TopicRole.PREDICTIONS,
                    payment.id(),
                    prediction,
                    ts,
                    truth,
                    plan.duplicatePredictionRate());
            simulateFeedback(payment);
            if (rng.nextDouble() < plan.orphanFeedbackRate()) {
                simulateOrphan(ts);
            }
            for (TopicRole topic : TopicRole.values()) {
                if (rng.nextDouble() < plan.malformedRate()) {
                    simulateMalformed(topic, ts);
                }
            }
        }

        private Payment samplePayment(long ts, String id) {
            boolean fraud = rng.nextDouble() < plan.fraudRate();
            String version = ts >= rolloutMillis && rng.nextDouble() < plan.v7Share() ? "v7" : "v6";
            String country = COUNTRIES.get(pick(COUNTRY_WEIGHTS));
            String channel = CHANNELS.get(pick(fraud ? FRAUD_CHANNEL_WEIGHTS : CHANNEL_WEIGHTS));
            boolean cardPresent = channel.equals("pos") && rng.nextDouble() < 0.97;
            int merchant = rng.nextInt(MERCHANTS);
            if (fraud && rng.nextDouble() < 0.6) {
                int risky =
                        FIRST_RISKY_CATEGORY
                                + rng.nextInt(CATEGORIES.size() - FIRST_RISKY_CATEGORY);
                merchant = merchant - merchant % CATEGORIES.size() + risky;
                if (merchant >= MERCHANTS) {
                    merchant -= CATEGORIES.size();
                }
            }
            double amount =
                    fraud
                            ? 140 * Math.exp(1.1 * rng.nextGaussian())
                            : 45 * Math.exp(1.0 * rng.nextGaussian());
            boolean drifted = ts >= driftMillis;
            if (drifted && channel.equals(DRIFTED_CHANNEL)) {
                amount *= plan.webAmountDriftFactor();
            }
            amount = Math.max(0.5, Math.round(amount * 100) / 100.0);
            Integer accountAge =
                    rng.nextDouble() < GUEST_SHARE
                            ? null
                            : (int) (rng.nextExponential() * (fraud ? 45 : 800));
            double separation = version.equals("v7") ? 3.0 : 2.5;
            boolean signal = fraud;
            if (drifted && version.equals(DEGRADED_VERSION) && country.equals(DEGRADED_COUNTRY)) {
                // The degraded slice: the signal follows a fresh coin, not the truth, so the
                // score's distribution is unchanged but it says nothing about this payment.
                signal = rng.nextDouble() < plan.fraudRate();
            }
            double s = rng.nextGaussian() + (signal ? separation : 0);
            double logit = priorLogit + separation * s - separation * separation / 2;
            double score = 1 / (1 + Math.exp(-logit));
            return new Payment(
                    id,
                    ts,
                    fraud,
                    version,
                    country,
                    channel,
                    amount,
                    accountAge,
                    String.format(Locale.ROOT, "m-%04d", merchant),
                    CATEGORIES.get(merchant % CATEGORIES.size()),
                    cardPresent,
                    score);
        }

        private void simulateFeedback(Payment payment) {
            long delay;
            if (payment.fraud()) {
                if (rng.nextDouble() >= plan.chargebackRate()) {
                    return;
                }
                delay = chargebackDelay();
            } else {
                if (rng.nextDouble() >= plan.legitimateReviewRate()) {
                    return;
                }
                SimulationPlan.LabelDelays d = plan.labelDelays();
                delay =
                        d.reviewMin().toMillis()
                                + rng.nextLong(d.reviewMax().toMillis() - d.reviewMin().toMillis());
            }
            boolean early = rng.nextDouble() < plan.earlyFeedbackRate();
            long reportedAt =
                    early
                            ? payment.timeMillis() - 1_000 - rng.nextLong(earlySkewRangeMillis)
                            : payment.timeMillis() + delay;
            GenericRecord chargeback =
                    feedbackRecord(
                            (payment.fraud() ? "cb-" : "rv-") + uuid(),
                            payment.id(),
                            reportedAt,
                            payment.fraud());
            Truth truth =
                    new Truth(
                            payment.id(),
                            payment.fraud(),
                            payment.version(),
                            false,
                            early,
                            false,
                            Malformation.NONE);
            emitWithResend(
                    reportedAt,
                    Kind.FEEDBACK,
                    TopicRole.FEEDBACK,
                    payment.id(),
                    new AvroPayload(chargeback),
                    reportedAt,
                    truth,
                    plan.duplicateFeedbackRate());
        }

        private long chargebackDelay() {
            SimulationPlan.LabelDelays d = plan.labelDelays();
            double delay =
                    rng.nextDouble() < d.fastDisputeShare()
                            ? d.fastDisputeMedian().toMillis()
                                    * Math.exp(FAST_DISPUTE_SIGMA * rng.nextGaussian())
                            : d.chargebackMedian().toMillis()
                                    * Math.exp(d.chargebackSigma() * rng.nextGaussian());
            return Math.min(Math.max((long) delay, MIN_LABEL_DELAY_MS), d.max().toMillis());
        }

        private void simulateOrphan(long ts) {
            String paymentId = uuid();
            boolean fraud = rng.nextBoolean();
            GenericRecord chargeback =
                    feedbackRecord((fraud ? "cb-" : "rv-") + uuid(), paymentId, ts, fraud);
            Truth truth = new Truth(paymentId, fraud, "", false, false, true, Malformation.NONE);
            emit(
                    ts,
                    Kind.FEEDBACK,
                    TopicRole.FEEDBACK,
                    paymentId,
                    new AvroPayload(chargeback),
                    ts,
                    truth);
        }

        private void simulateMalformed(TopicRole topic, long ts) {
            Malformation malformation =
                    switch (rng.nextInt(3)) {
                        case 0 -> Malformation.GARBAGE_BYTES;
                        case 1 -> Malformation.EMPTY_ID;
                        default -> Malformation.FUTURE_TIMESTAMP;
                    };
            String paymentId = uuid();
            Payload payload;
            String version = "";
            if (malformation == Malformation.GARBAGE_BYTES) {
                String json =
                        String.format(
                                Locale.ROOT,
                                "{\"%s\":\"%s\",\"amount\":%d.%02d}",
                                topic == TopicRole.PREDICTIONS ? "request_id" : "payment_id",
                                paymentId,
                                rng.nextInt(1000),
                                rng.nextInt(100));
                payload = new RawPayload(json.getBytes(StandardCharsets.UTF_8));
            } else {
                String idInRecord = malformation == Malformation.EMPTY_ID ? "" : paymentId;
                long eventTime =
                        malformation == Malformation.FUTURE_TIMESTAMP ? ts + FUTURE_OFFSET_MS : ts;
                if (topic == TopicRole.PREDICTIONS) {
                    Payment payment = samplePayment(ts, idInRecord);
                    version = payment.version();
                    payload = new AvroPayload(predictionRecord(payment, eventTime));
                } else {
                    payload =
                            new AvroPayload(
                                    feedbackRecord("cb-" + uuid(), idInRecord, eventTime, true));
                }
            }
            Truth truth = new Truth(paymentId, false, version, false, false, false, malformation);
            emit(ts, Kind.MALFORMED, topic, paymentId, payload, ts, truth);
        }

        private void emitWithResend(
                long arrival,
                Kind kind,
                TopicRole topic,
                String key,
                Payload payload,
                long timestamp,
                Truth truth,
                double resendRate) {
            emit(arrival, kind, topic, key, payload, timestamp, truth);
            if (rng.nextDouble() < resendRate) {
                Truth resent =
                        new Truth(
                                truth.paymentId(),
                                truth.fraud(),
                                truth.modelVersion(),
                                true,
                                truth.beforePrediction(),
                                truth.orphan(),
                                truth.malformation());
                long gap = 1 + rng.nextLong(MAX_RESEND_GAP_MS);
                emit(arrival + gap, kind, topic, key, payload, timestamp, resent);
            }
        }

        private void emit(
                long arrival,
                Kind kind,
                TopicRole topic,
                String key,
                Payload payload,
                long timestamp,
                Truth truth) {
            queue.add(new Pending(arrival, order++, kind, topic, key, payload, timestamp, truth));
        }

        private GenericRecord predictionRecord(Payment payment, long eventTime) {
            Schema schema = schemas.prediction();
            GenericRecord request = new GenericData.Record(field(schema, "request"));
            request.put("id", payment.id());
            request.put("ts", eventTime);
            request.put("merchant_id", payment.merchantId());
            GenericRecord model = new GenericData.Record(field(schema, "model"));
            model.put("name", MODEL_NAME);
            model.put("version", payment.version());
            GenericRecord features = new GenericData.Record(field(schema, "features"));
            features.put("amount", payment.amount());
            features.put("account_age_days", payment.accountAgeDays());
            features.put("merchant_category", payment.merchantCategory());
            features.put("card_present", payment.cardPresent());
            GenericRecord context = new GenericData.Record(field(schema, "context"));
            context.put("country", payment.country());
            context.put("channel", payment.channel());
            GenericRecord score = new GenericData.Record(schema);
            score.put("request", request);
            score.put("model", model);
            score.put("fraud_probability", payment.score());
            score.put("features", features);
            score.put("context", context);
            return score;
        }

        private GenericRecord feedbackRecord(
                String chargebackId, String paymentId, long reportedAt, boolean fraud) {
            GenericRecord chargeback = new GenericData.Record(schemas.feedback());
            chargeback.put("chargeback_id", chargebackId);
            chargeback.put("payment_request_id", paymentId);
            chargeback.put("reported_at", reportedAt);
            chargeback.put("is_fraud", fraud);
            chargeback.put(
                    "reason_code",
                    fraud ? REASON_CODES.get(rng.nextInt(REASON_CODES.size())) : null);
            return chargeback;
        }

        private int pick(double[] weights) {
            double u = rng.nextDouble();
            for (int i = 0; i < weights.length - 1; i++) {
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
            return weights.length - 1;
        }

        private String uuid() {
            long hi = (rng.nextLong() & ~0xF000L) | 0x4000L;
            long lo = (rng.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            return new UUID(hi, lo).toString();
        }
    }

    private static Schema field(Schema record, String name) {
        Schema.Field field = record.getField(name);
        if (field == null || field.schema().getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                    "schema "
                            + record.getFullName()
                            + " has no record field '"
                            + name
                            + "'; expected the FraudScore schema of examples/fraud");
        }
        return field.schema();
    }
}
