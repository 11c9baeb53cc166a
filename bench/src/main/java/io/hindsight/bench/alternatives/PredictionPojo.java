package io.hindsight.bench.alternatives;

import io.hindsight.schemas.Prediction;
import java.util.HashMap;
import java.util.Map;

/**
 * The prediction as a Flink POJO, as a team writing its own join would keep it in state: public
 * fields, a no-argument constructor, serialized by Flink's reflective {@code PojoSerializer}.
 */
public class PredictionPojo {
    public String application;
    public String predictionId;
    public long eventTime;
    public String modelName;
    public String modelVersion;
    public Double score;
    public Map<String, Double> numericFeatures;
    public Map<String, String> categoricalFeatures;
    public Map<String, String> tags;

    public PredictionPojo() {}

    public static PredictionPojo of(Prediction p) {
        PredictionPojo pojo = new PredictionPojo();
        pojo.application = p.getApplication();
        pojo.predictionId = p.getPredictionId();
        pojo.eventTime = p.getEventTime().toEpochMilli();
        pojo.modelName = p.getModelName();
        pojo.modelVersion = p.getModelVersion();
        pojo.score = p.getScore();
        pojo.numericFeatures = new HashMap<>(p.getNumericFeatures());
        pojo.categoricalFeatures = new HashMap<>(p.getCategoricalFeatures());
        pojo.tags = new HashMap<>(p.getTags());
        return pojo;
    }
}
