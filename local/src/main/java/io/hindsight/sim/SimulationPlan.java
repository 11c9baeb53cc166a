package io.hindsight.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything that decides what {@link FraudSimulator} generates. The same plan always yields the
 * same events; all times are simulated (event time), none is read from the clock.
 *
 * @param seed seed of the simulator's {@link java.util.SplittableRandom}
 * @param start simulated instant of the first prediction
 * @param duration simulated time covered; events that would arrive later are not emitted
 * @param predictionsPerHour mean prediction rate; the actual rate follows a daily cycle
 * @param v7RolloutAt from this instant, model v7 serves {@code v7Share} of the traffic
 * @param v7Share share of traffic served by v7 after its rollout, in [0, 1]
 * @param driftAt from this instant, amounts on channel {@code web} are multiplied by {@code
 *     webAmountDriftFactor} and v7's scores for country {@code BR} become uninformative
 * @param webAmountDriftFactor multiplier of web amounts after {@code driftAt}
 * @param fraudRate share of payments that are actually fraud
 * @param chargebackRate share of fraud payments that get a chargeback (is_fraud = true)
 * @param legitimateReviewRate share of legitimate payments confirmed by a review (is_fraud = false)
 * @param labelDelays how long feedback takes
 * @param earlyFeedbackRate share of feedback events that arrive before their prediction
 * @param duplicatePredictionRate share of predictions sent twice (exact re-send)
 * @param duplicateFeedbackRate share of feedback events sent twice (exact re-send)
 * @param orphanFeedbackRate orphan feedback events (for payments never scored) per prediction
 * @param malformedRate malformed records per prediction, on each topic
 */
public record SimulationPlan(
        long seed,
        Instant start,
        Duration duration,
        int predictionsPerHour,
        Instant v7RolloutAt,
        double v7Share,
        Instant driftAt,
        double webAmountDriftFactor,
        double fraudRate,
        double chargebackRate,
        double legitimateReviewRate,
        LabelDelays labelDelays,
        double earlyFeedbackRate,
        double duplicatePredictionRate,
        double duplicateFeedbackRate,
        double orphanFeedbackRate,
        double malformedRate) {

    public SimulationPlan {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(v7RolloutAt, "v7RolloutAt");
        Objects.requireNonNull(driftAt, "driftAt");
        Objects.requireNonNull(labelDelays, "labelDelays");
        require(!duration.isNegative() && !duration.isZero(), "duration", duration, "> 0");
        require(predictionsPerHour > 0, "predictionsPerHour", predictionsPerHour, "> 0");
        require(webAmountDriftFactor > 0, "webAmountDriftFactor", webAmountDriftFactor, "> 0");
        requireShare("v7Share", v7Share);
        requireShare("fraudRate", fraudRate);
        requireShare("chargebackRate", chargebackRate);
        requireShare("legitimateReviewRate", legitimateReviewRate);
        requireShare("earlyFeedbackRate", earlyFeedbackRate);
        requireShare("duplicatePredictionRate", duplicatePredictionRate);
        requireShare("duplicateFeedbackRate", duplicateFeedbackRate);
        requireShare("orphanFeedbackRate", orphanFeedbackRate);
        requireShare("malformedRate", malformedRate);
    }

    /**
     * The plan of the embedded default: v7 rolled out to half the traffic at the middle of the run,
     * drift injected at three quarters, and the fractions documented on {@link FraudSimulator}.
     */
    public static SimulationPlan defaults(
            long seed, Instant start, Duration duration, int predictionsPerHour) {
        return new SimulationPlan(
                seed,
                start,
                duration,
                predictionsPerHour,
                start.plus(duration.dividedBy(2)),
                0.5,
                start.plus(duration.multipliedBy(3).dividedBy(4)),
                1.8,
                0.03,
                0.85,
                0.10,
                LabelDelays.defaults(),
                0.005,
                0.005,
                0.01,
                0.001,
                0.0005);
    }

    /** The simulated instant at which the run ends. */
    public Instant end() {
        return start.plus(duration);
    }

    /** A copy with another seed. */
    public SimulationPlan withSeed(long newSeed) {
        return new SimulationPlan(
                newSeed,
                start,
                duration,
                predictionsPerHour,
                v7RolloutAt,
                v7Share,
                driftAt,
                webAmountDriftFactor,
                fraudRate,
                chargebackRate,
                legitimateReviewRate,
                labelDelays,
                earlyFeedbackRate,
                duplicatePredictionRate,
                duplicateFeedbackRate,
                orphanFeedbackRate,
                malformedRate);
    }

    /**
     * How long feedback takes after the payment.
     *
     * <p>Chargebacks are a mixture: {@code fastDisputeShare} of them are disputes raised by the
     * card holder within minutes to hours (lognormal around {@code fastDisputeMedian}); the rest
     * come through the card scheme after days to weeks (lognormal around {@code chargebackMedian}
     * with log-sd {@code chargebackSigma}). Every delay is capped at {@code max}. Reviews that
     * confirm a payment as legitimate come uniformly between {@code reviewMin} and {@code
     * reviewMax}. Feedback that arrives early is stamped up to {@code maxClockSkew} before its
     * prediction.
     */
    public record LabelDelays(
            double fastDisputeShare,
            Duration fastDisputeMedian,
            Duration chargebackMedian,
            double chargebackSigma,
            Duration max,
            Duration reviewMin,
            Duration reviewMax,
            Duration maxClockSkew) {

        public LabelDelays {
            requireShare("labelDelays.fastDisputeShare", fastDisputeShare);
            require(chargebackSigma >= 0, "labelDelays.chargebackSigma", chargebackSigma, ">= 0");
            requirePositive("labelDelays.fastDisputeMedian", fastDisputeMedian);
            requirePositive("labelDelays.chargebackMedian", chargebackMedian);
            requirePositive("labelDelays.max", max);
            requirePositive("labelDelays.reviewMin", reviewMin);
            requirePositive("labelDelays.maxClockSkew", maxClockSkew);
            require(
                    reviewMax.compareTo(reviewMin) > 0,
                    "labelDelays.reviewMax",
                    reviewMax,
                    "> reviewMin (" + reviewMin + ")");
            require(
                    maxClockSkew.compareTo(FraudSimulator.MAX_OUT_OF_ORDERNESS.dividedBy(2)) <= 0,
                    "labelDelays.maxClockSkew",
                    maxClockSkew,
                    "<= " + FraudSimulator.MAX_OUT_OF_ORDERNESS.dividedBy(2));
        }

        /** Fast disputes 15 % (median 45 min), chargebacks median 9 days, all within 50 days. */
        public static LabelDelays defaults() {
            return new LabelDelays(
                    0.15,
                    Duration.ofMinutes(45),
                    Duration.ofDays(9),
                    0.7,
                    Duration.ofDays(50),
                    Duration.ofHours(2),
                    Duration.ofDays(5),
                    Duration.ofSeconds(50));
        }
    }

    private static void requireShare(String name, double value) {
        require(value >= 0 && value <= 1, name, value, "a share in [0, 1]");
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        require(!value.isNegative() && !value.isZero(), name, value, "> 0");
    }

    private static void require(boolean ok, String name, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "simulation plan: " + name + " is " + value + ", must be " + allowed);
        }
    }
}
