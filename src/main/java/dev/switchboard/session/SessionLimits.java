package dev.switchboard.session;

/**
 * Per-session bounds shared by every protocol.
 *
 * @param maxQueuedChars   outbound characters queued before the session is closed as a slow consumer
 * @param maxQueuedFrames  outbound frames queued before the same
 * @param heartbeatMs      announced heart-beat interval
 * @param maxBadFrames     consecutive malformed frames tolerated before closing with 1008
 * @param sendTimeoutMs    how long one outbound send may stay pending before the session counts as a slow consumer
 * @param maxSubscriptions topic subscriptions one session may hold at once; 0: no limit
 * @param inbound          inbound messages and bytes per second a session may send (4029 past them)
 */
public record SessionLimits(long maxQueuedChars, int maxQueuedFrames, long heartbeatMs, int maxBadFrames,
        long sendTimeoutMs, int maxSubscriptions, InboundRate.Allowance inbound) {

    /** Without subscription or inbound limits. */
    public SessionLimits(long maxQueuedChars, int maxQueuedFrames, long heartbeatMs, int maxBadFrames,
            long sendTimeoutMs) {
        this(maxQueuedChars, maxQueuedFrames, heartbeatMs, maxBadFrames, sendTimeoutMs, 0,
                InboundRate.Allowance.UNLIMITED);
    }

    /** Whether a session holding {@code held} subscriptions may take one more. */
    public boolean maySubscribeBeyond(int held) {
        return maxSubscriptions <= 0 || held < maxSubscriptions;
    }
}
