package dev.switchboard.bench.scenario;

import java.util.ArrayList;
import java.util.List;

/** Everything a suite run measured and checked, in the order it happened. Used by one thread. */
public final class Results {

    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<SweepStep> sweepSteps = new ArrayList<>();

    public void add(Measurement measurement) {
        measurements.add(measurement);
    }

    public void add(Check check) {
        checks.add(check);
    }

    public void add(SweepStep step) {
        sweepSteps.add(step);
    }

    public List<SweepStep> sweepSteps() {
        return List.copyOf(sweepSteps);
    }

    public List<Measurement> measurements() {
        return List.copyOf(measurements);
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }
}
