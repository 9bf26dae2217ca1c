package dev.switchboard.bench.scenario;

import java.util.List;

/**
 * How the open-loop rate sweep ({@link RateSweep}) steps through offered loads.
 *
 * @param rates          offered deliveries/s (publications/s x N), lowest first
 * @param warmupSeconds  load before each window that is not measured
 * @param seconds        each window's length
 * @param jitSeconds     unmeasured load at {@code fixedRate} before the first step: a fresh peer's
 *                       JIT would otherwise be charged to the lowest rate
 * @param fixedRate      the offered load at which every peer's latency is compared (the ladder
 *                       climbs at least this far, even past a peer's failure, so every peer has it)
 * @param p99LimitMillis a step is sustained only with p99 at most this
 * @param minShare       ... and at least this share of the offer delivered within the window
 * @param clientLagLimitMillis p99 of the publisher's own lateness above which the load generator
 *                       counts as the limit (its selector thread was busy reading)
 * @param halfLoad       also measure at 50 % of each peer's sustained rate (when that is no step anyway)
 * @param retry          try a step narrowly missed on share or p99 alone once more (the machine may be shared)
 */
public record SweepPlan(List<Double> rates, double warmupSeconds, double seconds, double jitSeconds, double fixedRate,
                        double p99LimitMillis, double minShare, double clientLagLimitMillis, boolean halfLoad, boolean retry) {
}
