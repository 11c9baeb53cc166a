package io.hindsight.alerts;

import io.hindsight.spec.ConditionType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The sentences of alerts: what a person being paged reads first. */
final class AlertText {

    private static final long DAY_MS = Duration.ofDays(1).toMillis();
    private static final DateTimeFormatter MINUTES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    private AlertText() {}

    /** The message of a FIRING change. */
    static String fired(
            String application, AlertRule rule, RuleObservation o, double bound, double baseline) {
        String effect =
                switch (rule.type) {
                    case ABOVE -> "above " + number(bound);
                    case BELOW -> "below " + number(bound);
                    case DROP ->
                            String.format(
                                    Locale.ROOT,
                                    "%s below its %s baseline %s, more than the %s allowed",
                                    percent(1 - o.value / baseline),
                                    duration(rule.baselineMs),
                                    number(baseline),
                                    percent(rule.threshold));
                };
        return String.format(
                Locale.ROOT,
                "%s is %s, %s%s (%s).",
                capitalized(what(application, rule, o.subject)),
                number(o.value),
                effect,
                pValue(rule, o),
                where(rule, o));
    }

    /** The message of a RESOLVED change caused by a row. */
    static String resolved(
            String application, AlertRule rule, RuleObservation o, double bound, double baseline) {
        // With an opt-in p-value the effect may still be there while the test no longer backs it.
        boolean effectHolds = rule.holds(o.value, bound, Double.NEGATIVE_INFINITY);
        String effect;
        if (effectHolds) {
            effect =
                    String.format(
                            Locale.ROOT,
                            "%s %s, but its p-value %s is not below %s",
                            rule.type == ConditionType.ABOVE ? "above" : "below",
                            number(bound),
                            number(o.pValue),
                            number(rule.maxPValue));
        } else {
            effect =
                    switch (rule.type) {
                        case ABOVE -> "no longer above " + number(bound);
                        case BELOW -> "no longer below " + number(bound);
                        case DROP ->
                                String.format(
                                        Locale.ROOT,
                                        "within %s of its %s baseline %s",
                                        percent(rule.threshold),
                                        duration(rule.baselineMs),
                                        number(baseline));
                    };
        }
        return String.format(
                Locale.ROOT,
                "Resolved: %s is %s, %s (%s).",
                what(application, rule, o.subject),
                number(o.value),
                effect,
                where(rule, o));
    }

    /** The message of a RESOLVED change because the subject stopped being reported. */
    static String expired(String application, AlertRule rule, String subject, long lastEventTime) {
        return String.format(
                Locale.ROOT,
                "Resolved: %s has had no data since %s; the alert closes after %s without any.",
                what(application, rule, subject),
                MINUTES.format(Instant.ofEpochMilli(lastEventTime)),
                duration(rule.retentionMs));
    }

    /** The message of a RESOLVED change for a rule the spec no longer holds. */
    static String ruleRemoved(String application, String rule, String subject, long lastEventTime) {
        return String.format(
                Locale.ROOT,
                "Resolved: alert rule '%s' of %s on %s is no longer in the spec (last data %s).",
                rule,
                application,
                subject,
                MINUTES.format(Instant.ofEpochMilli(lastEventTime)));
    }

    /** "AUC of fraud on slice country=BR", "PSI of amount in fraud". */
    private static String what(String application, AlertRule rule, String subject) {
        if (rule.isDrift()) {
            return rule.measure.label() + " of " + subject + " in " + application;
        }
        return rule.measure.label()
                + " of "
                + application
                + ("*".equals(subject) ? " on all predictions" : " on slice " + subject);
    }

    private static String pValue(AlertRule rule, RuleObservation o) {
        if (!rule.requiresPValue()) {
            return "";
        }
        String relation = o.pValue < rule.maxPValue ? "below" : "not below";
        return String.format(
                Locale.ROOT,
                " with p-value %s, %s %s",
                number(o.pValue),
                relation,
                number(rule.maxPValue));
    }

    /** "support 812, cohort 2026-11-20", "1204 values, window 2026-11-20T06:00Z/…". */
    private static String where(AlertRule rule, RuleObservation o) {
        String support =
                switch (rule.measure.supportKind()) {
                    case SUPPORT -> "support " + o.support;
                    case PREDICTIONS -> o.support + " predictions";
                    case LABELED -> o.support + " labeled";
                    case VALUES -> o.support + " values";
                };
        return support
                + (rule.isDrift() ? ", window " : ", cohort ")
                + window(o.windowStart, o.windowEnd);
    }

    /** A day-long window aligned on UTC midnight as its date, any other as an ISO interval. */
    static String window(long start, long end) {
        ZonedDateTime s = Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC);
        if (end - start == DAY_MS && s.toLocalTime().equals(LocalTime.MIDNIGHT)) {
            return s.toLocalDate().toString();
        }
        return MINUTES.format(Instant.ofEpochMilli(start))
                + "/"
                + MINUTES.format(Instant.ofEpochMilli(end));
    }

    /**
     * Three significant digits, plainly written ({@code 0.71}, {@code 812}, {@code 0.000312}); tiny
     * p-values in scientific notation ({@code 3.1e-12}).
     */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "infinity" : "-infinity";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) < 1e-4) {
            return String.format(Locale.ROOT, "%.2g", v).replace("e-0", "e-");
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
    }

    /** A fraction as a percentage: {@code 0.2} → "20%". */
    static String percent(double fraction) {
        return number(fraction * 100) + "%";
    }

    static String duration(long ms) {
        return duration(Duration.ofMillis(ms));
    }

    /** The largest whole unit: "7d", "12h", "30m", "45s", "1500ms". */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % DAY_MS == 0) {
            return ms / DAY_MS + "d";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
