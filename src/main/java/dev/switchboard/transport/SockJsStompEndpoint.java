package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.security.AdmittedConnection;
import dev.switchboard.security.SessionLease;
import dev.switchboard.session.StompProtocol;
import dev.switchboard.session.StompSession;
import dev.switchboard.sockjs.SockJsMessages;
import dev.switchboard.security.TicketClient;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code websocket} transport of {@code /sockjs/stomp}: a STOMP session as on {@code /ws/stomp},
 * with SockJS framing ({@link SockJsWebSocketSink}, {@link SockJsInboundFrames}). The origin and
 * handshake rate are checked by {@link HandshakeFilter}, the token by CONNECT.
 */
@Dependent
@ServerEndpoint(value = "/sockjs/stomp/{server}/{session}/websocket", configurator = CdiEndpointConfigurator.class)
public class SockJsStompEndpoint {

    private static final Logger LOG = System.getLogger(SockJsStompEndpoint.class.getName());

    private final StompProtocol protocol;
    private final TransportSettings settings;
    private final SockJsInboundFrames inbound;
    /** Set in onOpen; the container calls this endpoint's methods one at a time. */
    private StompSession stompSession;
    /** The per-address session slot taken at the handshake (HandshakeFilter), given back in onClose. */
    private SessionLease lease = SessionLease.NONE;

    @Inject
    public SockJsStompEndpoint(StompProtocol protocol, TransportSettings settings, SockJsMessages messages) {
        this.protocol = protocol;
        this.settings = settings;
        this.inbound = new SockJsInboundFrames(messages, settings.maxMessageBytes());
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) throws IOException {
        SockJsWebSocketSink sink = new SockJsWebSocketSink(session, settings);
        sink.open();
        TicketClient ticketClient = null;
        if (session.getUserPrincipal() instanceof AdmittedConnection connection) {
            lease = connection.lease();
            ticketClient = connection.ticketClient(); // the handshake took a ?ticket=: CONNECT needs no token
        }
        Map<String, List<String>> query = session.getRequestParameterMap();
        stompSession = ticketClient != null
                ? protocol.newAuthenticatedSession(sink, ticketClient, StompEndpoint.first(query, "channelId"))
                : protocol.newSession(sink, StompEndpoint.first(query, "token"), StompEndpoint.first(query, "channelId"));
    }

    @OnMessage
    public void onText(String part, boolean last) {
        SockJsInboundFrames.Result result = inbound.part(part, last);
        if (result instanceof SockJsInboundFrames.Result.Messages messages) {
            for (String message : messages.messages()) {
                stompSession.onMessage(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            }
        } else if (result instanceof SockJsInboundFrames.Result.Broken) {
            stompSession.disconnect(CloseCode.UNSUPPORTED_DATA);
        } else if (result instanceof SockJsInboundFrames.Result.TooBig) {
            stompSession.disconnect(CloseCode.TOO_BIG);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        stompSession.onPong();
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        if (stompSession != null) {
            stompSession.ended();
        }
        lease.release();
    }

    @OnError
    public void onError(Session session, Throwable failure) {
        LOG.log(Level.DEBUG, "SockJS STOMP session " + session.getId() + " failed", failure);
    }
}
