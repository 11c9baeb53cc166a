package io.hindsight.curation;

import io.hindsight.schemas.CuratedRecord;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** One candidate row per curation rule the record matches (predictions or outcomes). */
public final class CurationCandidates<T> implements FlatMapFunction<T, CuratedRecord> {

    private static final long serialVersionUID = 1L;

    /** A rule's candidate from a record, or null. */
    @FunctionalInterface
    public interface Extract<T> extends java.io.Serializable {
        CuratedRecord of(CurationRule rule, T record);
    }

    private final List<CurationRule> rules;
    private final Extract<T> extract;

    public CurationCandidates(List<CurationRule> rules, Extract<T> extract) {
        this.rules = List.copyOf(rules);
        this.extract = extract;
    }

    @Override
    public void flatMap(T record, Collector<CuratedRecord> out) {
        for (CurationRule rule : rules) {
            CuratedRecord c = extract.of(rule, record);
            if (c != null) {
                out.collect(c);
            }
        }
    }
}
