package dev.switchboard.bench.scenario;

import java.util.List;

/**
 * What one fan-out run measures beyond connecting and the maximum.
 *
 * @param searchSteps   open-loop steps above the saturating maximum while the server keeps up (0: none)
 * @param searchStep    each step offers this multiple of the best deliveries/s so far
 * @param fractions     loads (fractions of the measured maximum) for open-loop latency; empty: none
 * @param httpLatency   also publish through Switchboard's HTTP API at the middle fraction, and push per user
 * @param pushRate      per-user pushes per second through the HTTP API
 * @param churnFraction extra subscribers, as a share of N, that keep connecting and closing (0: no churn phase)
 * @param churnLifetimeMillis how long each churner stays subscribed
 * @param overload      offered load, as a multiple of the maximum, for the overload phase (0: none)
 * @param slowFraction  share of subscribers made slow consumers in a last phase (0: no such phase)
 */
public record FanoutPlan(int searchSteps, double searchStep, List<Double> fractions, boolean httpLatency, double pushRate, double churnFraction,
                         long churnLifetimeMillis, double overload, double slowFraction) {
}
