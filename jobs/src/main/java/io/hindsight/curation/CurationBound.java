package io.hindsight.curation;

/**
 * The worst priority a full period holds: a candidate that is not better is rejected after reading
 * only this.
 */
public final class CurationBound {

    public double priority;
    public long hash;
    public String id;

    public CurationBound() {}

    CurationBound(double priority, long hash, String id) {
        this.priority = priority;
        this.hash = hash;
        this.id = id;
    }

    boolean isBeatenBy(double p, long h, String candidateId) {
        return CurationRule.compare(p, h, candidateId, priority, hash, id) < 0;
    }
}
