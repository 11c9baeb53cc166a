package io.hindsight.curation;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What a retraining trigger watches, routed to it: an alert's change of state (alert triggers) or a
 * closed period of a curated dataset (dataset triggers). Keyed by {@link #key}.
 */
public final class RetrainSignal {

    public static final TypeInformation<RetrainSignal> TYPE_INFO =
            TypeInformation.of(RetrainSignal.class);

    /** The trigger, and for an alert trigger the alert's subject. */
    public String key;

    public String trigger;
    public boolean alert;

    /** Alert triggers: the subject, FIRING or not, and the change's event time. */
    public String subject;

    public boolean firing;
    public long eventTime;

    /** Dataset triggers: the period (one signal per stratum), its labelled rows and its tag. */
    public long periodStart;

    public long readyAt;
    public long labeledRows;
    public String tag;

    public RetrainSignal() {}

    static RetrainSignal alert(String trigger, String subject, boolean firing, long eventTime) {
        RetrainSignal s = new RetrainSignal();
        s.key = trigger + "\u0000" + subject;
        s.trigger = trigger;
        s.alert = true;
        s.subject = subject;
        s.firing = firing;
        s.eventTime = eventTime;
        return s;
    }

    static RetrainSignal period(String trigger, CurationPeriod p) {
        RetrainSignal s = new RetrainSignal();
        s.key = trigger;
        s.trigger = trigger;
        s.alert = false;
        s.periodStart = p.periodStart;
        s.readyAt = p.readyAt;
        s.eventTime = p.readyAt;
        s.labeledRows = p.labeledRows;
        s.tag = p.tag;
        return s;
    }
}
