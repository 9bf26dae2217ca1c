package dev.switchboard.bench.scenario;

import dev.switchboard.bench.measure.ProcessStats;

/** This process's CPU use over an interval, as a percentage of one core (the harness is pinned to one). */
final class ClientCpu {

    private final double cpuAtStart = ProcessStats.cpuSeconds("self");
    private final long nanosAtStart = System.nanoTime();

    double percent() {
        double wall = (System.nanoTime() - nanosAtStart) / 1e9;
        return wall <= 0 ? 0 : 100.0 * (ProcessStats.cpuSeconds("self") - cpuAtStart) / wall;
    }
}
