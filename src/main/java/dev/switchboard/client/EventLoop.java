package dev.switchboard.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one event thread of a {@link SwitchboardClient}: runs every state change and every listener
 * call, one task at a time and in order, plus the client's timers (reconnect delay, heart-beat).
 *
 * <p>{@link #execute} may be called from any thread (API callers, container threads); the timers
 * are scheduled from the event thread. The executor is either supplied by the application (never
 * shut down here) or a daemon thread of the client's own.
 */
final class EventLoop {

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final String channelId;
    /** Whether the client was closed: then a task the executor refuses is dropped, not an error. */
    private final BooleanSupplier clientClosed;
    /** The thread running the event tasks (to recognise close() called by the listener). */
    private volatile Thread eventThread;

    /**
     * @param supplied the application's single-threaded executor, or null for one of the client's own
     */
    EventLoop(ScheduledExecutorService supplied, String channelId, BooleanSupplier clientClosed) {
        this.ownsExecutor = supplied == null;
        this.executor = ownsExecutor ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-client-" + channelId);
            thread.setDaemon(true);
            return thread;
        }) : supplied;
        this.channelId = channelId;
        this.clientClosed = clientClosed;
    }

    /**
     * Runs {@code task} on the event thread; a RuntimeException it throws is a client bug and is
     * logged. After the client was closed, a task the executor refuses is dropped (late container
     * callbacks, calls after close()); before that, a refusal is an {@link IllegalStateException}.
     */
    void execute(Runnable task) {
        try {
            executor.execute(() -> {
                eventThread = Thread.currentThread();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "client bug on channel " + channelId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (!clientClosed.getAsBoolean()) {
                throw new IllegalStateException("the client's executor was shut down", e);
            }
            // closed: late container callbacks and calls after close() are dropped
        }
    }

    /** Whether the caller is the event thread (e.g. the listener calling close()). */
    boolean isEventThread() {
        return Thread.currentThread() == eventThread;
    }

    /**
     * Runs {@code task} on the event thread after {@code delay}.
     *
     * @throws RejectedExecutionException if the executor is shutting down
     */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the event thread every {@code periodMillis}, the first time after one period. */
    ScheduledFuture<?> scheduleEvery(Runnable task, long periodMillis) {
        return executor.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops the event thread if it is the client's own; an application's executor is left running. */
    void shutDownIfOwned() {
        if (ownsExecutor) {
            executor.shutdown();
        }
    }
}
