package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.SweepStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the rate sweep's windows say per peer and N: the sustained throughput (the highest offered
 * rate sustained with every lower one), the rate kept up with at any latency, whether the load
 * generator rather than the peer ended the climb, and the windows at a given load.
 */
final class SweepFigures {

    /**
     * The highest rate of a peer's ladder at one N that met a criterion together with every lower step.
     *
     * @param rate          deliveries/s offered at that step (0: none)
     * @param step          that step's window (empty if none)
     * @param neverFailed   every step of the ladder met it: the peer may do more
     * @param clientLimited the step that ended the climb had the load generator at its limit: the
     *                      peer's own limit may be higher
     */
    record Highest(double rate, Optional<SweepStep> step, boolean neverFailed, boolean clientLimited) {
    }

    private final List<SweepStep> steps;

    SweepFigures(List<SweepStep> steps) {
        this.steps = List.copyOf(steps);
    }

    /** The ladder's windows of one peer at one N, the last attempt per rate, lowest rate first. */
    List<SweepStep> ladder(String target, int n) {
        Map<Double, SweepStep> byRate = new LinkedHashMap<>();
        steps.stream().filter(s -> s.target().equals(target) && s.n() == n && !s.halfLoad())
                .forEach(s -> byRate.put(s.offered(), s)); // a second attempt replaces the first
        List<SweepStep> ladder = new ArrayList<>(byRate.values());
        ladder.sort(Comparator.comparingDouble(SweepStep::offered));
        return ladder;
    }

    /** The sustained throughput: everything delivered with p99 within the limit ({@link SweepStep#sustained}). */
    Optional<Highest> sustained(String target, int n) {
        return highest(target, n, SweepStep::sustained);
    }

    /**
     * What the peer keeps up with at any latency ({@link SweepStep#keptUp}). It differs from the
     * sustained rate where one publication's fan-out alone takes longer than the p99 limit (N =
     * 5,000 at ~10 µs per write is 50 ms).
     */
    Optional<Highest> keptUp(String target, int n) {
        return highest(target, n, SweepStep::keptUp);
    }

    private Optional<Highest> highest(String target, int n, Predicate<SweepStep> criterion) {
        List<SweepStep> ladder = ladder(target, n);
        if (ladder.isEmpty()) {
            return Optional.empty();
        }
        SweepStep best = null;
        for (SweepStep step : ladder) {
            if (!criterion.test(step)) {
                return Optional.of(new Highest(best == null ? 0 : best.offered(), Optional.ofNullable(best), false,
                        step.clientLimited()));
            }
            best = step;
        }
        return Optional.of(new Highest(best.offered(), Optional.of(best), true, false));
    }

    /** The window at exactly this offered load (ladder or half-load window), if measured. */
    Optional<SweepStep> at(String target, int n, double offered) {
        Optional<SweepStep> half = steps.stream()
                .filter(s -> s.target().equals(target) && s.n() == n && s.halfLoad() && s.offered() == offered)
                .reduce((first, second) -> second);
        return half.isPresent() ? half
                : ladder(target, n).stream().filter(s -> s.offered() == offered).findFirst();
    }

    /** The window at 50 % of the peer's own sustained rate. */
    Optional<SweepStep> atHalfSustained(String target, int n) {
        return sustained(target, n).filter(s -> s.rate() > 0).flatMap(s -> at(target, n, s.rate() / 2));
    }

    /** Every window in which the load generator was at its limit. */
    List<SweepStep> clientLimited() {
        return steps.stream().filter(SweepStep::clientLimited).toList();
    }

    List<Integer> sizes() {
        return steps.stream().map(SweepStep::n).distinct().sorted().toList();
    }

    List<SweepStep> all() {
        return steps;
    }
}
