package dev.switchboard.bench.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The churn in progress ({@link ChurnPlan}): which churners are alive, which must go, and the
 * counts for {@link LoadClient.ChurnResult}. Decides only; the load client opens and closes the
 * sockets. Owned by the selector thread.
 */
final class Churn {

    private final ChurnPlan plan;
    private final long startNanos = System.nanoTime();
    /** Ready churners, oldest first: all live equally long, so the first is the next to go. */
    private final ArrayDeque<WsConnection> ready = new ArrayDeque<>();
    private int alive;
    private long lives;
    private int failures;
    private long counter;

    Churn(ChurnPlan plan) {
        this.plan = plan;
    }

    /** Whether another churner should be started now. */
    boolean wantsMore() {
        return alive < plan.concurrent();
    }

    /** A new churner's spec, on a channel of its own (the server keeps one session per channel). */
    ConnectionSpec next() {
        alive++;
        return new ConnectionSpec(plan.protocol(), Role.CHURNER, plan.token(), "churn-" + counter++);
    }

    void ready(WsConnection connection, long now) {
        connection.readyNanos = now;
        ready.add(connection);
    }

    /** The oldest open churner if its life is over (it is then retired: close it), else null. */
    WsConnection expired(long now) {
        long lifetime = plan.lifetimeMillis() * 1_000_000L;
        while (!ready.isEmpty() && now - ready.peekFirst().readyNanos >= lifetime) {
            WsConnection oldest = ready.pollFirst();
            if (oldest.isOpen()) { // one the server closed was already counted by lost()
                alive--;
                lives++;
                return oldest;
            }
        }
        return null;
    }

    /** A churner closed by the server or failing to connect. */
    void lost(boolean wasOpening) {
        alive--;
        if (wasOpening) {
            failures++;
        }
    }

    /** The churners still ready, to close when churn stops. */
    List<WsConnection> remaining() {
        return new ArrayList<>(ready);
    }

    LoadClient.ChurnResult result() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new LoadClient.ChurnResult(seconds > 0 ? lives / seconds : 0, failures);
    }
}
