package dev.switchboard.session;

/**
 * Per-session bounds shared by every protocol.
 *
 * @param maxQueuedChars   outbound characters queued before the session is closed as a slow consumer
 * @param maxQueuedFrames  outbound frames queued before the same
 * @param heartbeatMs      announced heart-beat interval
 * @param maxBadFrames     consecutive malformed frames tolerated before closing with 1008
 * @param sendTimeoutMs    how long one outbound send may stay pending before the session counts as a slow consumer
 */
public record SessionLimits(long maxQueuedChars, int maxQueuedFrames, long heartbeatMs, int maxBadFrames,
        long sendTimeoutMs) {
}
