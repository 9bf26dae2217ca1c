package dev.switchboard.bench.scenario;

/**
 * One window of the open-loop rate sweep: a fixed offered load, what arrived, how late, and what
 * it cost the server.
 *
 * @param target          the peer and protocol
 * @param n               subscribers
 * @param offered         deliveries/s offered (publications/s x N)
 * @param delivered       deliveries/s received in the window
 * @param p50             ms from each publication's intended send time to its arrival (NaN: nothing arrived)
 * @param p99             the same, p99
 * @param p999            the same, p99.9
 * @param serverCpu       the peer process's CPU in the window ({@code /proc/<pid>/stat} utime + stime), % of one core
 * @param serverKernelCpu the part of {@code serverCpu} spent in the kernel (stime), % of one core
 * @param clientCpu       the harness process's CPU in the window, % of its one core
 * @param sendLagP99      ms, p99 of how late the publisher wrote its publications (the load generator's own lag)
 * @param drained         every subscriber had the last publication within the settle time after the window
 * @param faults          gaps, reorders, closes and error frames that appeared in this window
 * @param attempt         1, or 2 for the second try of a step the first missed on share or p99 alone
 * @param halfLoad        the extra window at 50 % of the peer's sustained rate, not a step of the ladder
 * @param load1           the machine's 1-minute load average at the window's end
 * @param p99Limit        ms, the sweep's p99 limit
 * @param minShare        the sweep's minimum delivered share
 * @param clientCpuLimit  % of its core above which the load generator counts as the limit
 * @param clientLagLimit  ms of publisher lateness (p99) above which the load generator counts as the limit
 */
public record SweepStep(String target, int n, double offered, double delivered, double p50, double p99, double p999,
                        double serverCpu, double serverKernelCpu, double clientCpu, double sendLagP99, boolean drained, long faults, int attempt,
                        boolean halfLoad, double load1, double p99Limit, double minShare, double clientCpuLimit,
                        double clientLagLimit) {

    public double share() {
        return offered > 0 ? delivered / offered : 0;
    }

    /** Server CPU-µs per delivery in the window. */
    public double serverMicrosPerDelivery() {
        return delivered > 0 ? serverCpu / 100 * 1e6 / delivered : Double.NaN;
    }

    /**
     * Server kernel CPU-µs per delivery in the window: the socket writes and, on loopback, the
     * receiving side's TCP processing, which the kernel charges to the sender. No peer can do less
     * than the raw peer here while it writes once per delivery.
     */
    public double serverKernelMicrosPerDelivery() {
        return delivered > 0 ? serverKernelCpu / 100 * 1e6 / delivered : Double.NaN;
    }

    /** Everything offered delivered within the window (edge effects aside) and drained after it, no fault; any latency. */
    public boolean keptUp() {
        return share() >= minShare && drained && faults == 0;
    }

    /** Kept up ({@link #keptUp}) with p99 within the limit. */
    public boolean sustained() {
        return keptUp() && !Double.isNaN(p99) && p99 <= p99Limit;
    }

    /**
     * The load generator's core was nearly full, or its own selector thread ran late: the window
     * measured the client as much as the server.
     */
    public boolean clientLimited() {
        return clientCpu >= clientCpuLimit || sendLagP99 > clientLagLimit;
    }

    /**
     * Missed narrowly on share or latency alone (at least 90 % delivered, p99 within twice the
     * limit), which another program on the machine can cause: worth a second try. A clear overload
     * is not retried: it would only cost the run another window.
     */
    public boolean retryable() {
        return !sustained() && attempt == 1 && drained && faults == 0 && share() >= 0.9 && p99 <= 2 * p99Limit;
    }

    /** Why a step was not sustained, in words ("" if it was). */
    public String missedOn() {
        if (sustained()) {
            return "";
        }
        StringBuilder why = new StringBuilder();
        if (faults > 0) {
            why.append(faults).append(" faults; ");
        }
        if (!drained) {
            why.append("backlog not drained; ");
        }
        if (share() < minShare) {
            why.append(String.format(java.util.Locale.ROOT, "%.0f %% delivered; ", 100 * share()));
        }
        if (Double.isNaN(p99) || p99 > p99Limit) {
            why.append("p99 over ").append((int) p99Limit).append(" ms; ");
        }
        return why.substring(0, Math.max(0, why.length() - 2));
    }
}
