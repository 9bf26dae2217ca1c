package dev.switchboard.bench.client;

import org.HdrHistogram.Histogram;

/**
 * Per publication, how long until the LAST subscriber had it (from the intended send time) and
 * the spread between the first and the last arrival: what a broadcast's slowest recipient sees.
 * Tracks the most recent {@value #SLOTS} sequence numbers in fixed arrays, O(1) per delivery
 * without allocation; a publication still incomplete when its slot is reused is not recorded
 * (its gap or drain failure is reported elsewhere). Owned by the selector thread.
 */
final class BroadcastSpread {

    private static final int SLOTS = 1 << 16;
    private static final int MASK = SLOTS - 1;

    private final long[] seqs = new long[SLOTS];
    private final int[] counts = new int[SLOTS];
    private final long[] firsts = new long[SLOTS];
    private final long[] lasts = new long[SLOTS];
    private final Histogram complete = new Histogram(3);
    private final Histogram spread = new Histogram(3);

    BroadcastSpread() {
        java.util.Arrays.fill(seqs, -1);
    }

    /** One delivery of {@code seq} with this latency (µs); {@code audience} subscribers should get it. */
    void delivered(long seq, long latencyMicros, int audience) {
        int slot = (int) (seq & MASK);
        if (seqs[slot] != seq) {
            seqs[slot] = seq;
            counts[slot] = 0;
            firsts[slot] = latencyMicros;
            lasts[slot] = latencyMicros;
        }
        firsts[slot] = Math.min(firsts[slot], latencyMicros);
        lasts[slot] = Math.max(lasts[slot], latencyMicros);
        if (++counts[slot] == audience) {
            complete.recordValue(lasts[slot]);
            spread.recordValue(lasts[slot] - firsts[slot]);
        }
    }

    void reset() {
        complete.reset();
        spread.reset();
    }

    Histogram complete() {
        return complete.copy();
    }

    Histogram spread() {
        return spread.copy();
    }
}
