package dev.switchboard.config;

import dev.switchboard.api.Readiness;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.CloseCode;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;

/**
 * Takes this node out of service: marks it not ready ({@code /health/ready} and new handshakes
 * answer 503), closes every session with 1001 once what is queued for it has been sent, and waits
 * a bounded time for the sessions to be gone. Runs once; a later call waits for the first to
 * finish and returns. Thread safe.
 *
 * <p>{@link SwitchboardLifecycle} runs it when the application context is about to be destroyed
 * (undeploy, container stop). A container can only answer 503 while its connectors still accept
 * requests, and embedded Tomcat pauses them before it stops a web application, so the standalone
 * launcher runs the drain first, through the {@link Runnable} that the lifecycle stores in the
 * servlet context under {@link #ATTRIBUTE}.
 */
public final class ShutdownDrain implements Runnable {

    /**
     * The servlet context attribute holding this drain as a {@link Runnable} (a JDK type, so that a
     * launcher outside the web application's class loader can call it). A compile-time constant:
     * the launcher compiles it in and needs no other class of this package at run time.
     */
    public static final String ATTRIBUTE = "dev.switchboard.shutdownDrain";

    private static final Logger LOG = System.getLogger(ShutdownDrain.class.getName());

    private final Broker broker;
    private final Readiness readiness;
    private final Duration timeout;
    /** Guarded by {@code this}. */
    private boolean done;

    public ShutdownDrain(Broker broker, Readiness readiness, Duration timeout) {
        this.broker = broker;
        this.readiness = readiness;
        this.timeout = timeout;
    }

    @Override
    public synchronized void run() {
        if (done) {
            return;
        }
        done = true;
        readiness.startDraining();
        int sessions = broker.sessionCount();
        broker.disconnectAll(CloseCode.SHUTDOWN);
        // Real time, not the injected Clock: this waits on peers' close handshakes.
        Instant deadline = Instant.now().plus(timeout);
        while (broker.sessionCount() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(10); // polling the session count, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(Level.INFO, "Switchboard stopped: closed {0} sessions with 1001 ({1} still open after {2} s)",
                String.valueOf(sessions), String.valueOf(broker.sessionCount()), String.valueOf(timeout.toSeconds()));
    }
}
