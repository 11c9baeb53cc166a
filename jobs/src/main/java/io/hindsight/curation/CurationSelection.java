package io.hindsight.curation;

/**
 * The priorities of the rows a period currently holds, in no particular order, and which of them is
 * the worst (the first to go when a better candidate arrives). The rows themselves are in a map
 * state; this is the small part read on every replacement.
 */
public final class CurationSelection {

    public double[] priority = new double[0];
    public long[] hash = new long[0];
    public String[] ids = new String[0];
    public int worst = -1;

    public CurationSelection() {}

    int size() {
        return ids.length;
    }

    void add(double p, long h, String id) {
        int n = ids.length;
        priority = java.util.Arrays.copyOf(priority, n + 1);
        hash = java.util.Arrays.copyOf(hash, n + 1);
        ids = java.util.Arrays.copyOf(ids, n + 1);
        priority[n] = p;
        hash[n] = h;
        ids[n] = id;
        findWorst();
    }

    /** Replaces the worst entry; returns the id that left. */
    String replaceWorst(double p, long h, String id) {
        String gone = ids[worst];
        priority[worst] = p;
        hash[worst] = h;
        ids[worst] = id;
        findWorst();
        return gone;
    }

    CurationBound bound() {
        return new CurationBound(priority[worst], hash[worst], ids[worst]);
    }

    private void findWorst() {
        int w = 0;
        for (int i = 1; i < ids.length; i++) {
            if (CurationRule.compare(priority[i], hash[i], ids[i], priority[w], hash[w], ids[w])
                    > 0) {
                w = i;
            }
        }
        worst = ids.length == 0 ? -1 : w;
    }
}
