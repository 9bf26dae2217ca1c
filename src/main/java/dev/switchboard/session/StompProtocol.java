package dev.switchboard.session;

import dev.switchboard.broker.ClientAuthenticator;
import java.util.UUID;

/**
 * What every STOMP session shares: the session services, the CONNECT authenticator, the body
 * mapping, the STOMP settings and the MESSAGE frames encoded once for many recipients. One per
 * application; creates sessions.
 */
public final class StompProtocol {

    final SessionServices services;
    final ClientAuthenticator authenticator;
    final StompPayloads payloads;
    final StompSettings settings;
    final StompMessageTemplates messageTemplates;
    final UserSessionQuota userSessions;

    public StompProtocol(SessionServices services, ClientAuthenticator authenticator, StompPayloads payloads,
            StompSettings settings) {
        this(services, authenticator, payloads, settings, UserSessionQuota.UNLIMITED);
    }

    /** {@code userSessions}: the per-user session limit, applied at CONNECT. */
    public StompProtocol(SessionServices services, ClientAuthenticator authenticator, StompPayloads payloads,
            StompSettings settings, UserSessionQuota userSessions) {
        this.userSessions = userSessions;
        this.services = services;
        this.authenticator = authenticator;
        this.payloads = payloads;
        this.settings = settings;
        this.messageTemplates = new StompMessageTemplates(payloads);
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
