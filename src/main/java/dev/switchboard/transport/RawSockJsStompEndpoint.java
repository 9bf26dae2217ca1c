package dev.switchboard.transport;

import dev.switchboard.session.StompProtocol;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@code /sockjs/stomp/websocket}: the SockJS "raw WebSocket" URL (SockJS 0.3.3), which carries the
 * protocol without SockJS framing, so it is {@code /ws/stomp} under another path. The endpoint
 * methods are {@link StompEndpoint}'s (JSR 356 containers look for them up the class hierarchy).
 */
@Dependent
@Typed(RawSockJsStompEndpoint.class) // else selecting the parent's bean by its class would be ambiguous
@ServerEndpoint(value = "/sockjs/stomp/websocket", subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"},
        configurator = CdiEndpointConfigurator.class)
public class RawSockJsStompEndpoint extends StompEndpoint {

    @Inject
    public RawSockJsStompEndpoint(StompProtocol protocol, TransportSettings settings) {
        super(protocol, settings);
    }
}
