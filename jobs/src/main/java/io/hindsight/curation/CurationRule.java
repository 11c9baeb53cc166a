package io.hindsight.curation;

import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSampling;
import io.hindsight.spec.CurationSource;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * One curation rule, compiled from its spec: which records are candidates, their priority (a pure
 * function of the record), their period of event time and when that period's selection is final.
 */
public final class CurationRule implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm").withZone(ZoneOffset.UTC);

    final String application;
    final CurationRuleSpec spec;
    final long periodMs;
    final long waitMs;

    /**
     * @param labelWindowMs the join's label window: a rule on outcomes waits that long after its
     *     period so that every prediction of the period has its final outcome
     */
    public CurationRule(String application, CurationRuleSpec spec, long labelWindowMs) {
        this.application = application;
        this.spec = spec;
        this.periodMs = spec.period().toMillis();
        this.waitMs = spec.source() == CurationSource.OUTCOMES ? labelWindowMs : 0;
    }

    public String name() {
        return spec.name();
    }

    public long periodStart(long eventTime) {
        return Math.floorDiv(eventTime, periodMs) * periodMs;
    }

    /**
     * The event time at which the period starting at {@code start} is complete: its last
     * millisecond, plus the label window for a rule on outcomes (the join emits a prediction's
     * final outcome at the latest when the watermark reaches its time + the label window).
     */
    public long readyAt(long periodStart) {
        return periodStart + periodMs - 1 + waitMs;
    }

    /** The Iceberg tag of the period: {@code <app>-<rule>-<yyyy-MM-dd>}. */
    public String tag(long periodStart) {
        DateTimeFormatter f = periodMs % 86_400_000L == 0 ? DAY : MINUTE;
        return application + "-" + spec.name() + "-" + f.format(Instant.ofEpochMilli(periodStart));
    }

    /** The seeded 64-bit hash of a candidate id (MurmurHash3, as DataSketches implements it). */
    public long hash(String candidateId) {
        return MurmurHash3.hash(candidateId.getBytes(StandardCharsets.UTF_8), spec.seed())[0];
    }

    /** A candidate row for this rule, or null when the prediction is not one. */
    public CuratedRecord candidate(Prediction p) {
        if (spec.source() != CurationSource.PREDICTIONS || Boolean.TRUE.equals(p.getDuplicate())) {
            return null;
        }
        if (!matches(
                p.getScore(),
                p.getModelVersion(),
                p.getTags(),
                p.getCategoricalFeatures(),
                null,
                null,
                null,
                null)) {
            return null;
        }
        CuratedRecord.Builder b =
                base(
                        p.getPredictionId(),
                        p.getPredictionId(),
                        p.getEventTime(),
                        p.getModelName(),
                        p.getModelVersion(),
                        p.getScore(),
                        p.getPredictedClass(),
                        p.getTags(),
                        p.getCategoricalFeatures());
        if (b == null) {
            return null;
        }
        return b.setNumericFeatures(p.getNumericFeatures()).build();
    }

    /** A candidate row for this rule, or null when the outcome is not one (or not final). */
    public CuratedRecord candidate(Outcome o) {
        if (spec.source() != CurationSource.OUTCOMES || !o.getIsFinal()) {
            return null;
        }
        if (!matches(
                o.getScore(),
                o.getModelVersion(),
                o.getTags(),
                o.getCategoricalFeatures(),
                o.getStatus(),
                o.getLabel(),
                o.getPredictedClass(),
                o.getLabelClass())) {
            return null;
        }
        CuratedRecord.Builder b =
                base(
                        o.getPredictionId() + "/" + o.getRevision(),
                        o.getPredictionId(),
                        o.getPredictionTime(),
                        o.getModelName(),
                        o.getModelVersion(),
                        o.getScore(),
                        o.getPredictedClass(),
                        o.getTags(),
                        o.getCategoricalFeatures());
        if (b == null) {
            return null;
        }
        return b.setNumericFeatures(o.getNumericFeatures())
                .setStatus(o.getStatus().name())
                .setLabel(o.getLabel())
                .setLabelClass(o.getLabelClass())
                .setFeedbackTime(o.getFeedbackTime())
                .build();
    }

    private boolean matches(
            Double score,
            String modelVersion,
            Map<String, String> tags,
            Map<String, String> categorical,
            OutcomeStatus status,
            Double label,
            String predictedClass,
            String labelClass) {
        if (spec.modelVersion() != null && !spec.modelVersion().equals(modelVersion)) {
            return false;
        }
        for (Map.Entry<String, String> e : spec.slice().entrySet()) {
            if (!e.getValue().equals(dimension(e.getKey(), tags, categorical, modelVersion))) {
                return false;
            }
        }
        boolean needsScore =
                spec.scoreMin() != null
                        || spec.scoreMax() != null
                        || spec.uncertainWithin() != null
                        || spec.sampling() == CurationSampling.MOST_UNCERTAIN;
        if (needsScore && (score == null || !Double.isFinite(score))) {
            return false;
        }
        if (spec.scoreMin() != null && score < spec.scoreMin()) {
            return false;
        }
        if (spec.scoreMax() != null && score > spec.scoreMax()) {
            return false;
        }
        if (spec.uncertainWithin() != null
                && !(Math.abs(score - spec.threshold()) < spec.uncertainWithin())) {
            return false;
        }
        if (spec.wrong()) {
            return status == OutcomeStatus.LABELED
                    && isWrong(score, label, predictedClass, labelClass);
        }
        return true;
    }

    /**
     * A labelled prediction is wrong when a scored prediction is on the other side of the threshold
     * than its label (label ≥ 0.5 is the positive class), or a predicted class differs from the
     * label's class.
     */
    private boolean isWrong(Double score, Double label, String predictedClass, String labelClass) {
        if (labelClass != null) {
            return !labelClass.equals(predictedClass);
        }
        if (score == null || label == null || !Double.isFinite(score)) {
            return false;
        }
        return (score >= spec.threshold()) != (label >= 0.5);
    }

    private static String dimension(
            String name,
            Map<String, String> tags,
            Map<String, String> categorical,
            String modelVersion) {
        if (name.equals("model_version")) {
            return modelVersion;
        }
        String tag = tags == null ? null : tags.get(name);
        return tag != null ? tag : categorical == null ? null : categorical.get(name);
    }

    private CuratedRecord.Builder base(
            String candidateId,
            String predictionId,
            Instant predictionTime,
            String modelName,
            String modelVersion,
            Double score,
            String predictedClass,
            Map<String, String> tags,
            Map<String, String> categorical) {
        String stratum = null;
        if (spec.sampling() == CurationSampling.STRATIFIED) {
            stratum = dimension(spec.stratifyBy(), tags, categorical, modelVersion);
            if (stratum == null || !spec.strata().contains(stratum)) {
                return null; // only the listed strata are drawn from
            }
        }
        long start = periodStart(predictionTime.toEpochMilli());
        double priority =
                spec.sampling() == CurationSampling.MOST_UNCERTAIN
                        ? Math.abs(score - spec.threshold())
                        : 0.0;
        return CuratedRecord.newBuilder()
                .setApplication(application)
                .setRule(spec.name())
                .setDatasetVersion(tag(start))
                .setPeriodStart(Instant.ofEpochMilli(start))
                .setPeriodEnd(Instant.ofEpochMilli(start + periodMs))
                .setSampling(
                        spec.sampling().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .setStratum(stratum)
                .setSelectionRank(0)
                .setPriority(priority)
                .setPriorityHash(hash(candidateId))
                .setCandidateId(candidateId)
                .setPredictionId(predictionId)
                .setPredictionTime(predictionTime)
                .setModelName(modelName)
                .setModelVersion(modelVersion)
                .setScore(score)
                .setPredictedClass(predictedClass)
                .setTags(tags == null ? Map.of() : tags)
                .setCategoricalFeatures(categorical == null ? Map.of() : categorical);
    }

    /** The key of a candidate's selection: rule, stratum and period. */
    public static String key(CuratedRecord r) {
        return r.getRule()
                + "\u0000"
                + (r.getStratum() == null ? "" : r.getStratum())
                + "\u0000"
                + r.getPeriodStart().toEpochMilli();
    }

    /** The selection order: priority, then the seeded hash, then the id (a total order). */
    public static int compare(CuratedRecord a, CuratedRecord b) {
        return compare(
                a.getPriority(),
                a.getPriorityHash(),
                a.getCandidateId(),
                b.getPriority(),
                b.getPriorityHash(),
                b.getCandidateId());
    }

    static int compare(double pa, long ha, String ia, double pb, long hb, String ib) {
        int c = Double.compare(pa, pb);
        if (c != 0) {
            return c;
        }
        c = Long.compare(ha, hb);
        return c != 0 ? c : ia.compareTo(ib);
    }
}
