package dev.switchboard.session;

import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.protocol.NativeFrameCodec;
import java.util.UUID;

/**
 * What every native session shares: the session services, the frame codec, the delivery encoder and the token checks
 * (refresh, expiring notice). One per application; creates sessions.
 */
public final class NativeProtocol {

    final SessionServices services;
    final NativeFrameCodec codec;
    final NativeDeliveryEncoder deliveries;
    final SessionTokens tokens;

    public NativeProtocol(SessionServices services, NativeFrameCodec codec, SessionTokens tokens) {
        this.services = services;
        this.codec = codec;
        this.deliveries = new NativeDeliveryEncoder(codec);
        this.tokens = tokens;
    }

    /** A new, not yet opened session for an authenticated client talking through {@code sink}. */
    public NativeSession newSession(ClientIdentity identity, FrameSink sink) {
        return new NativeSession(UUID.randomUUID().toString(), identity, sink, this);
    }

    public NativeFrameCodec codec() {
        return codec;
    }

    public SessionLimits limits() {
        return services.limits();
    }
}
