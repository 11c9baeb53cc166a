package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.HOUR;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows behind {@code snapshots/slice-metrics-merge-v1.snapshot}: a snapshot of the merge stage
 * taken by the release whose cohort accumulators had layout version 1, after revision 1 of cohort
 * [T0, T0 + 1 day) and with the labels of the first {@link #LABELED_BEFORE} predictions merged.
 */
final class OldSnapshotData {

    static final int PREDICTIONS = 40;
    static final int LABELED_BEFORE = 30;

    private OldSnapshotData() {}

    static List<Prediction> predictions() {
        List<Prediction> ps = new ArrayList<>();
        for (int i = 0; i < PREDICTIONS; i++) {
            ps.add(prediction("old" + i, T0 + i * 1000L).setScore((i + 0.5) / PREDICTIONS).build());
        }
        return ps;
    }

    static double label(int i) {
        return (i * 7) % 5 < 2 ? 1.0 : 0.0;
    }

    /** The final LABELED row of prediction i (i < LABELED_BEFORE) or its EXPIRED row. */
    static Outcome outcomeOf(Prediction p, int i) {
        return i < LABELED_BEFORE
                ? outcome(p, OutcomeStatus.LABELED, "first", 1, true, label(i), (i + 1) * HOUR)
                        .build()
                : outcome(p, OutcomeStatus.EXPIRED, "first", 1, true, null, null).build();
    }
}
