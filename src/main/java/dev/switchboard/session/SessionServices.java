package dev.switchboard.session;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What sessions of every protocol share: the broker, application handlers, the access policy,
 * the outbound queues' threads, the scheduler (timers), the clock and the limits.
 * One per application.
 */
public record SessionServices(Broker broker, ApplicationHandlers handlers, AccessPolicy access,
        SendExecutors senders, ScheduledExecutorService scheduler, Clock clock, SessionLimits limits) {

    /** A session's outbound queue, bounded and timed by {@link #limits()}, drained on {@link #senders()}. */
    public OutboundQueue outboundQueue(FrameSink sink, OutboundQueue.Events events) {
        return new OutboundQueue(sink, senders, limits.maxQueuedChars(), limits.maxQueuedFrames(), scheduler,
                limits.sendTimeoutMs(), events);
    }

    /** Runs {@code task} on the scheduler at {@code when} by the clock (at once if that has passed). */
    public ScheduledFuture<?> scheduleAt(Instant when, Runnable task) {
        long delayMs = Duration.between(clock.instant(), when).toMillis();
        return scheduler.schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }
}
