package dev.switchboard.session;

import dev.switchboard.broker.ClientAuthenticator;
import java.util.UUID;

/**
 * What every STOMP session shares: the session services, the token checks (CONNECT, refresh via
 * {@code /sys/refresh}, the expiring notice), the body mapping, the STOMP settings, the per-user
 * session limit and the MESSAGE frames encoded once for many recipients. One per application;
 * creates sessions.
 */
public final class StompProtocol {

    final SessionServices services;
    final SessionTokens tokens;
    final StompPayloads payloads;
    final StompSettings settings;
    final StompMessageTemplates messageTemplates;
    final UserSessionQuota userSessions;

    public StompProtocol(SessionServices services, SessionTokens tokens, StompPayloads payloads,
            StompSettings settings) {
        this(services, tokens, payloads, settings, UserSessionQuota.UNLIMITED);
    }

    /** {@code userSessions}: the per-user session limit, applied at CONNECT. */
    public StompProtocol(SessionServices services, SessionTokens tokens, StompPayloads payloads,
            StompSettings settings, UserSessionQuota userSessions) {
        this.userSessions = userSessions;
        this.services = services;
        this.tokens = tokens;
        this.payloads = payloads;
        this.settings = settings;
        this.messageTemplates = new StompMessageTemplates(payloads);
    }

    /**
     * A new session awaiting CONNECT. {@code handshakeToken} and {@code handshakeChannelId} are the
     * {@code ?token=} and {@code ?channelId=} of the WebSocket URL, or null.
     */
    public StompSession newSession(FrameSink sink, String handshakeToken, String handshakeChannelId) {
        return new StompSession(UUID.randomUUID().toString(), sink, handshakeToken, null, handshakeChannelId, this);
    }

    /**
     * A new session awaiting CONNECT whose handshake was already authenticated (a ticket): a CONNECT
     * without a token of its own is admitted by {@code handshakeClient}.
     */
    public StompSession newAuthenticatedSession(FrameSink sink, ClientAuthenticator handshakeClient,
            String handshakeChannelId) {
        return new StompSession(UUID.randomUUID().toString(), sink, null, handshakeClient, handshakeChannelId, this);
    }

    public StompSettings settings() {
        return settings;
    }
}
