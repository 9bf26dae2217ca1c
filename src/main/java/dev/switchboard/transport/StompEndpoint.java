package dev.switchboard.transport;

import dev.switchboard.session.FrameSink;
import dev.switchboard.security.AdmittedConnection;
import dev.switchboard.security.SessionLease;
import dev.switchboard.session.StompProtocol;
import dev.switchboard.session.StompSession;
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
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The STOMP endpoint {@code /ws/stomp} (docs/stomp.md), subprotocols {@code v12.stomp},
 * {@code v11.stomp}, {@code v10.stomp} (a client offering none still speaks STOMP). Text and binary
 * WebSocket messages both carry STOMP bytes. A thin adapter over {@link StompSession}; origin and
 * handshake rate are checked by {@link HandshakeFilter}, the token by CONNECT.
 *
 * <p>Messages are taken in parts, as the container reads them: the STOMP decoder joins frames split
 * across parts and applies the frame size limit itself, and the container keeps its small default
 * buffers instead of one of the largest frame's size per session (see {@link ClientFrameDecoder}).
 */
@Dependent
@ServerEndpoint(value = "/ws/stomp", subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"},
        configurator = CdiEndpointConfigurator.class)
public class StompEndpoint {

    private static final Logger LOG = System.getLogger(StompEndpoint.class.getName());

    private final StompProtocol protocol;
    private final TransportSettings settings;
    /** Set in onOpen; the container calls this endpoint's methods one at a time. */
    private StompSession stompSession;
    /** The per-address session slot taken at the handshake (HandshakeFilter), given back in onClose. */
    private SessionLease lease = SessionLease.NONE;
    /**
     * A high surrogate that ended the previous text part, or 0: a character outside the BMP split
     * between two parts must be encoded to UTF-8 whole.
     */
    private char carriedHighSurrogate;

    @Inject
    public StompEndpoint(StompProtocol protocol, TransportSettings settings) {
        this.protocol = protocol;
        this.settings = settings;
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) {
        TicketClient ticketClient = null;
        if (session.getUserPrincipal() instanceof AdmittedConnection connection) {
            lease = connection.lease();
            ticketClient = connection.ticketClient(); // the handshake took a ?ticket=: CONNECT needs no token
        }
        Map<String, List<String>> query = session.getRequestParameterMap();
        FrameSink sink = new WebSocketFrameSink(session, settings);
        stompSession = ticketClient != null
                ? protocol.newAuthenticatedSession(sink, ticketClient, first(query, "channelId"))
                : protocol.newSession(sink, first(query, "token"), first(query, "channelId"));
    }

    @OnMessage
    public void onText(String part, boolean last) {
        String text = carriedHighSurrogate == 0 ? part : carriedHighSurrogate + part;
        carriedHighSurrogate = 0;
        if (!last && !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
            carriedHighSurrogate = text.charAt(text.length() - 1);
            text = text.substring(0, text.length() - 1);
        }
        stompSession.onMessage(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        stompSession.onMessage(part);
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
        LOG.log(Level.DEBUG, "STOMP session " + session.getId() + " failed", failure);
    }

    /** The first value of query parameter {@code name}, or null. */
    static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
