package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import java.util.List;

/**
 * Ranking and click feedback: the impressions that were clicked (CTR) and the clicks on an item in
 * the top k (precision@k). Under policy {@code all} a prediction enters with its first row and each
 * later row adds its click.
 */
final class RankingFold implements TaskFold {

    /** Impressions (predictions entered) with a click. */
    long clicked;

    /** Clicks on an item among the first k ranked. */
    long hitsAtK;

    @Override
    public Row addOutcome(
            Outcome o,
            boolean labeled,
            boolean enters,
            SliceMetricsConfig config,
            double[] calibrationEdges) {
        List<String> items = o.getRankedItems();
        if (items == null) {
            return Row.UNUSABLE;
        }
        if (enters && labeled) {
            clicked++;
        }
        String item = o.getLabelClass();
        int k = config.k();
        if (labeled && item != null && items.subList(0, Math.min(k, items.size())).contains(item)) {
            hitsAtK++;
        }
        return enters ? Row.SUPPORT : Row.FOLDED;
    }

    @Override
    public void merge(TaskFold other) {
        RankingFold o = (RankingFold) other;
        clicked += o.clicked;
        hitsAtK += o.hitsAtK;
    }
}
