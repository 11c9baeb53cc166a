package io.hindsight.curation;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A closed period of one curation rule (and stratum): how many rows it selected, how many of them
 * are labelled, and the event time at which it closed. Emitted once per period and stratum, after
 * the period's rows, so that the dataset tag and the retraining triggers know what to wait for.
 */
public final class CurationPeriod {

    public static final TypeInformation<CurationPeriod> TYPE_INFO =
            TypeInformation.of(CurationPeriod.class);

    public String rule;
    public String stratum;
    public long periodStart;
    public long periodEnd;

    /** The event time at which the period closed (its rule's {@code readyAt}). */
    public long readyAt;

    public String tag;
    public long rows;
    public long labeledRows;

    public CurationPeriod() {}

    public CurationPeriod(
            String rule,
            String stratum,
            long periodStart,
            long periodEnd,
            long readyAt,
            String tag,
            long rows,
            long labeledRows) {
        this.rule = rule;
        this.stratum = stratum;
        this.periodStart = periodStart;
        this.periodEnd = periodEnd;
        this.readyAt = readyAt;
        this.tag = tag;
        this.rows = rows;
        this.labeledRows = labeledRows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CurationPeriod p
                && Objects.equals(rule, p.rule)
                && Objects.equals(stratum, p.stratum)
                && periodStart == p.periodStart
                && periodEnd == p.periodEnd
                && readyAt == p.readyAt
                && Objects.equals(tag, p.tag)
                && rows == p.rows
                && labeledRows == p.labeledRows;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, stratum, periodStart, rows);
    }

    @Override
    public String toString() {
        return tag + (stratum == null ? "" : "[" + stratum + "]") + ": " + rows + " rows";
    }
}
