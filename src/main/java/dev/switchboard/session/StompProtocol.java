package dev.switchboard.session;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.ClientAuthenticator;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** What every STOMP session shares. One per application; creates sessions. */
public final class StompProtocol {

    final Broker broker;
    final ClientAuthenticator authenticator;
    final AccessPolicy access;
    final ApplicationHandlers handlers;
    final StompPayloads payloads;
    final ExecutorService senders;
    final ScheduledExecutorService scheduler;
    final Clock clock;
    final SessionLimits limits;
    final StompSettings settings;

    public StompProtocol(Broker broker, ClientAuthenticator authenticator, AccessPolicy access,
            ApplicationHandlers handlers, StompPayloads payloads, ExecutorService senders,
            ScheduledExecutorService scheduler, Clock clock, SessionLimits limits, StompSettings settings) {
        this.broker = broker;
        this.authenticator = authenticator;
        this.access = access;
        this.handlers = handlers;
        this.payloads = payloads;
        this.senders = senders;
        this.scheduler = scheduler;
        this.clock = clock;
        this.limits = limits;
        this.settings = settings;
    }

    /**
     * A new session awaiting CONNECT. {@code handshakeToken} and {@code handshakeChannelId} are the
     * {@code ?token=} and {@code ?channelId=} of the WebSocket URL, or null.
     */
    public StompSession newSession(FrameSink sink, String handshakeToken, String handshakeChannelId) {
        return new StompSession(UUID.randomUUID().toString(), sink, handshakeToken, handshakeChannelId, this);
    }

    public StompSettings settings() {
        return settings;
    }
}
