package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.security.AuthorizedClient;
import dev.switchboard.session.InboundRate;
import dev.switchboard.session.NativeProtocol;
import dev.switchboard.session.NativeSession;
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
import java.nio.ByteBuffer;

/**
 * The native channel endpoint {@code /ws/channel?token=...&channelId=...} (docs/protocol.md, Native endpoint).
 * A thin adapter: one instance per connection, created through CDI by
 * {@link ChannelEndpointConfigurator}, forwarding everything to a {@link NativeSession}.
 */
@Dependent
@ServerEndpoint(value = "/ws/channel", configurator = ChannelEndpointConfigurator.class)
public class NativeChannelEndpoint {

    private static final Logger LOG = System.getLogger(NativeChannelEndpoint.class.getName());

    private final NativeProtocol protocol;
    private final TransportSettings settings;
    private final ClientFrameDecoder decoder;
    /** Set in onOpen; the container calls this endpoint's methods one at a time. */
    private NativeSession nativeSession;
    /** The handshake's verdict, whose session-limit slots are given back in onClose. */
    private AuthorizedClient authorized;

    @Inject
    public NativeChannelEndpoint(NativeProtocol protocol, NativeFrameCodec codec, TransportSettings settings) {
        this.protocol = protocol;
        this.settings = settings;
        this.decoder = new ClientFrameDecoder(codec, settings.maxMessageBytes());
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) throws IOException {
        Object client = config.getUserProperties().get(ChannelEndpointConfigurator.AUTHORIZED_CLIENT);
        if (!(client instanceof AuthorizedClient authorized)) {
            // Only reachable if the container bypassed HandshakeFilter: a deployment fault, not a client one.
            LOG.log(Level.ERROR, "Channel session {0} opened without a handshake check; is HandshakeFilter mapped?",
                    session.getId());
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "handshake not checked"));
            return;
        }
        this.authorized = authorized;
        nativeSession = protocol.newSession(authorized.identity(), new WebSocketFrameSink(session, settings));
        if (nativeSession.start(authorized.reservation())) {
            LOG.log(Level.DEBUG, "Session {0} opened: user {1}, channel {2}, token {3}", nativeSession.sessionId(),
                    authorized.getName(), authorized.identity().channelId(), authorized.tokenFingerprint());
        }
    }

    /** Text comes in parts so that the container keeps a small buffer (see {@link ClientFrameDecoder}). */
    @OnMessage
    public void onText(String part, boolean last) {
        if (nativeSession == null || !nativeSession.admitInbound(InboundRate.utf8Length(part), last)) {
            return;
        }
        NativeFrameCodec.Decoded frame = decoder.decodePart(part, last);
        if (frame != null) {
            nativeSession.onFrame(frame);
        }
    }

    /** Binary frames are not part of the native protocol: close with 1003 (docs/protocol.md, Close codes). */
    @OnMessage
    public void onBinary(ByteBuffer data) {
        if (nativeSession != null) {
            nativeSession.disconnect(CloseCode.UNSUPPORTED_DATA);
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
        // The container closes the session after this; onClose does the cleanup.
        LOG.log(Level.DEBUG, "Channel session " + session.getId() + " failed", failure);
    }
}
