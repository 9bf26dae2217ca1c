package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.security.AuthorizedClient;
import dev.switchboard.session.InboundRate;
import dev.switchboard.session.NativeProtocol;
import dev.switchboard.session.NativeSession;
import dev.switchboard.sockjs.SockJsMessages;
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
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * The {@code websocket} transport of {@code /sockjs/channel}: a native session as on
 * {@code /ws/channel}, checked by {@link HandshakeFilter} the same way, with SockJS framing
 * ({@link SockJsWebSocketSink}, {@link SockJsInboundFrames}); each SockJS message is one client frame.
 */
@Dependent
@ServerEndpoint(value = "/sockjs/channel/{server}/{session}/websocket",
        configurator = ChannelEndpointConfigurator.class)
public class SockJsChannelEndpoint {

    private static final Logger LOG = System.getLogger(SockJsChannelEndpoint.class.getName());

    private final NativeProtocol protocol;
    private final TransportSettings settings;
    private final ClientFrameDecoder decoder;
    private final SockJsInboundFrames inbound;
    /** Set in onOpen; the container calls this endpoint's methods one at a time. */
    private NativeSession nativeSession;
    /** The handshake's verdict, whose session-limit slots are given back in onClose. */
    private AuthorizedClient authorized;

    @Inject
    public SockJsChannelEndpoint(NativeProtocol protocol, NativeFrameCodec codec, TransportSettings settings,
            SockJsMessages messages) {
        this.protocol = protocol;
        this.settings = settings;
        this.decoder = new ClientFrameDecoder(codec, settings.maxMessageBytes());
        this.inbound = new SockJsInboundFrames(messages, settings.maxMessageBytes());
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) throws IOException {
        Object client = config.getUserProperties().get(ChannelEndpointConfigurator.AUTHORIZED_CLIENT);
        if (!(client instanceof AuthorizedClient authorized)) {
            LOG.log(Level.ERROR, "SockJS channel session {0} opened without a handshake check; is HandshakeFilter "
                    + "mapped?", session.getId());
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "handshake not checked"));
            return;
        }
        SockJsWebSocketSink sink = new SockJsWebSocketSink(session, settings);
        sink.open();
        this.authorized = authorized;
        nativeSession = protocol.newSession(authorized.identity(), sink);
        nativeSession.start(authorized.reservation());
    }

    @OnMessage
    public void onText(String part, boolean last) {
        if (nativeSession == null) {
            return;
        }
        SockJsInboundFrames.Result result = inbound.part(part, last);
        if (result instanceof SockJsInboundFrames.Result.Messages messages) {
            for (String message : messages.messages()) {
                if (!nativeSession.admitInbound(InboundRate.utf8Length(message), true)) {
                    return;
                }
                nativeSession.onFrame(decoder.decode(message));
            }
        } else if (result instanceof SockJsInboundFrames.Result.Broken) {
            nativeSession.disconnect(CloseCode.UNSUPPORTED_DATA);
        } else if (result instanceof SockJsInboundFrames.Result.TooBig) {
            nativeSession.disconnect(CloseCode.TOO_BIG);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        if (nativeSession != null) {
            nativeSession.onPong();
        }
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        if (nativeSession != null) {
            nativeSession.ended();
        }
        if (authorized != null) {
            authorized.lease().release();
        }
    }

    @OnError
    public void onError(Session session, Throwable failure) {
        LOG.log(Level.DEBUG, "SockJS channel session " + session.getId() + " failed", failure);
    }
}
