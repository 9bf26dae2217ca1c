package dev.switchboard.session;

import dev.switchboard.broker.ClientIdentity;
import java.util.UUID;

/** What every native session shares: the session services and the frame codec. One per application; creates sessions. */
public final class NativeProtocol {

    final SessionServices services;
    final NativeFrameCodec codec;

    public NativeProtocol(SessionServices services, NativeFrameCodec codec) {
        this.services = services;
        this.codec = codec;
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
