package dev.switchboard.session;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.ClientIdentity;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every native session shares: the broker, the codec, handlers, the access policy, the
 * sender executor, the scheduler and the limits. One per application; creates sessions.
 */
public final class NativeProtocol {

    final Broker broker;
    final NativeFrameCodec codec;
    final ApplicationHandlers handlers;
    final AccessPolicy access;
    final ExecutorService senders;
    final ScheduledExecutorService scheduler;
    final Clock clock;
    final SessionLimits limits;

    public NativeProtocol(Broker broker, NativeFrameCodec codec, ApplicationHandlers handlers, AccessPolicy access,
            ExecutorService senders, ScheduledExecutorService scheduler, Clock clock, SessionLimits limits) {
        this.broker = broker;
        this.codec = codec;
        this.handlers = handlers;
        this.access = access;
        this.senders = senders;
        this.scheduler = scheduler;
        this.clock = clock;
        this.limits = limits;
    }

    /** A new, not yet opened session for an authenticated client talking through {@code sink}. */
    public NativeSession newSession(ClientIdentity identity, FrameSink sink) {
        return new NativeSession(UUID.randomUUID().toString(), identity, sink, this);
    }

    public NativeFrameCodec codec() {
        return codec;
    }

    public SessionLimits limits() {
        return limits;
    }
}
