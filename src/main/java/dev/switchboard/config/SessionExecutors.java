package dev.switchboard.config;

import dev.switchboard.session.SendExecutors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's threads. {@code drains}: one per processor, starting outbound queue drains,
 * which never block. {@code blocking}: a cached pool for the sends that may wait for a peer up to
 * the send time limit (closes, pings, flushes). {@code scheduler}: timers (token expiry, heart-beats,
 * redelivery). Daemon threads, named for thread dumps; shut down with the application.
 */
public final class SessionExecutors implements AutoCloseable {

    // The name prefix is relied upon: the standalone launcher's connector runs send completions
    // inline on these threads (standalone.InlineSendCompletionExecutor).
    private final ExecutorService drains = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
            named("switchboard-drain"));
    private final ExecutorService blocking = Executors.newCachedThreadPool(named("switchboard-blocking"));
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, named("switchboard-timer"));

    SessionExecutors() {
        scheduler.setRemoveOnCancelPolicy(true); // cancelled token-expiry timers must not pile up
    }

    public SendExecutors senders() {
        return new SendExecutors(drains, blocking);
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        drains.shutdownNow();
        blocking.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
