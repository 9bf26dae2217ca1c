package dev.switchboard.bench.client;

/**
 * How the in-band publisher paces itself.
 *
 * <ul>
 *   <li>{@link #atRate}: open loop, message i is due at start + i / rate, whatever the server
 *       does; its {@code t} is that intended time, so a late or queued send shows as latency
 *       (no coordinated omission).</li>
 *   <li>{@link #saturating}: as fast as the server delivers, with at most {@code window}
 *       messages per subscriber not yet delivered: finds the maximum deliveries/s without
 *       piling up queues until the server closes slow consumers.</li>
 * </ul>
 */
public record PublisherPlan(boolean openLoop, double ratePerSecond, int window) {

    public static PublisherPlan atRate(double ratePerSecond) {
        return new PublisherPlan(true, ratePerSecond, 0);
    }

    public static PublisherPlan saturating(int window) {
        return new PublisherPlan(false, 0, window);
    }
}
