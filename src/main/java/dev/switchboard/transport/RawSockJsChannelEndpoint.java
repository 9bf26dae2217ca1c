package dev.switchboard.transport;

import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.session.NativeProtocol;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@code /sockjs/channel/websocket}: the SockJS "raw WebSocket" URL (SockJS 0.3.3), which carries the
 * protocol without SockJS framing, so it is {@code /ws/channel} under another path, checked the same
 * way by {@link HandshakeFilter}. The endpoint methods are {@link NativeChannelEndpoint}'s.
 */
@Dependent
@Typed(RawSockJsChannelEndpoint.class) // else selecting the parent's bean by its class would be ambiguous
@ServerEndpoint(value = "/sockjs/channel/websocket", configurator = ChannelEndpointConfigurator.class)
public class RawSockJsChannelEndpoint extends NativeChannelEndpoint {

    @Inject
    public RawSockJsChannelEndpoint(NativeProtocol protocol, NativeFrameCodec codec, TransportSettings settings) {
        super(protocol, codec, settings);
    }
}
