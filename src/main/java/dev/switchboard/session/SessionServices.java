package dev.switchboard.session;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What sessions of every protocol share: the broker, application handlers, the access policy,
 * the sender executor (drains and closes), the scheduler (timers), the clock and the limits.
 * One per application.
 */
public record SessionServices(Broker broker, ApplicationHandlers handlers, AccessPolicy access,
        ExecutorService senders, ScheduledExecutorService scheduler, Clock clock, SessionLimits limits) {
}
