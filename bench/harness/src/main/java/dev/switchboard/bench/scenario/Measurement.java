package dev.switchboard.bench.scenario;

/**
 * One figure from one run.
 *
 * @param round  1-based round number
 * @param target the column
 * @param metric what was measured, with its unit (see {@link Metric})
 * @param n      connections or subscribers the run used
 * @param loadPercent for latency figures, the offered load in percent of the measured maximum; else 0
 */
public record Measurement(int round, String target, Metric metric, int n, int loadPercent, double value) {

    public Measurement(int round, String target, Metric metric, int n, double value) {
        this(round, target, metric, n, 0, value);
    }
}
