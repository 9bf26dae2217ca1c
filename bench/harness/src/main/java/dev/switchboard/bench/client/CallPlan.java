package dev.switchboard.bench.client;

/**
 * Which topics exist when, in the soak run: sessions are split into groups; each group has a
 * long-lived topic {@code room-<g>} and a sequence of short-lived ones, {@code call-<g>-<k>}, one
 * per "call" of {@code callNanos}. When a call ends its topic is abandoned for good, so the server
 * keeps meeting topic names it has never seen and never sees again. Group starts are staggered so
 * that calls do not all end at once.
 *
 * <p>A pure function of {@code System.nanoTime()}: the publisher thread and the client's selector
 * thread agree on the current calls without talking to each other. Immutable, thread safe.
 */
public final class CallPlan {

    private final int groups;
    private final long startNanos;
    private final long callNanos;

    public CallPlan(int groups, long startNanos, long callNanos) {
        if (groups < 1 || callNanos <= 0) {
            throw new IllegalArgumentException("groups " + groups + ", call " + callNanos + " ns");
        }
        this.groups = groups;
        this.startNanos = startNanos;
        this.callNanos = callNanos;
    }

    public int groups() {
        return groups;
    }

    /** Group of session {@code index}: round robin, so every group gets stallers and non-stallers alike. */
    public int groupOf(int index) {
        return index % groups;
    }

    /**
     * The one topic of big messages, followed by the stallers and as many sessions that keep
     * reading. Why: a stall must pass the server's bounds (4 MiB or 10,000 frames queued, or a send
     * pending 10 s, after up to a few MiB of kernel send buffer) within the run, and giving every
     * session that many bytes per second would make the run measure bandwidth instead.
     */
    public static final String FEED = "feed";

    public static String room(int group) {
        return "room-" + group;
    }

    public static String call(int group, long callIndex) {
        return "call-" + group + "-" + callIndex;
    }

    /** The index of group {@code group}'s call at {@code nowNanos}; each group is shifted by 1/groups of a call. */
    public long callIndex(int group, long nowNanos) {
        long shifted = nowNanos - startNanos + group * (callNanos / groups);
        return Math.floorDiv(shifted, callNanos);
    }

    /**
     * The topic publication {@code n} goes to at {@code nowNanos}: round robin over every group's
     * room and current call, so each topic gets {@code rate / (2 * groups)} publications a second.
     */
    public String topicFor(long n, long nowNanos) {
        int slot = (int) (n % (2L * groups));
        int group = slot / 2;
        return slot % 2 == 0 ? room(group) : call(group, callIndex(group, nowNanos));
    }
}
