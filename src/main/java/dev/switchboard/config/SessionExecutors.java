package dev.switchboard.config;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's threads: {@code senders} start session drains and perform closes (which may
 * block up to the send time limit, hence a cached pool), {@code scheduler} runs timers (token
 * expiry). Daemon threads, named for thread dumps; shut down with the application.
 */
public final class SessionExecutors implements AutoCloseable {

    private final ExecutorService senders = Executors.newCachedThreadPool(named("switchboard-sender"));
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, named("switchboard-timer"));

    SessionExecutors() {
        scheduler.setRemoveOnCancelPolicy(true); // cancelled token-expiry timers must not pile up
    }

    public ExecutorService senders() {
        return senders;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        senders.shutdownNow();
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
