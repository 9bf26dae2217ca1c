package dev.switchboard.transport;

import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.security.SessionLease;
import dev.switchboard.session.InboundRate;
import dev.switchboard.session.NativeSession;
import dev.switchboard.session.StompSession;
import dev.switchboard.sockjs.SockJsSession;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The two protocol sessions as a SockJS session over HTTP drives them: what the endpoints do with a
 * WebSocket's messages, pongs and close, done with a SockJS session's messages, requests and end.
 */
final class SockJsHandlers {

    private static final Logger LOG = System.getLogger(SockJsHandlers.class.getName());

    private SockJsHandlers() {
    }

    /** A native session: each SockJS message is one client frame, under the same size limit. */
    static SockJsSession.Handler nativeSession(NativeSession session, ChannelReservation reservation, SessionLease lease,
            NativeFrameCodec codec, int maxMessageBytes) {
        ClientFrameDecoder decoder = new ClientFrameDecoder(codec, maxMessageBytes);
        return new SockJsSession.Handler() {
            @Override
            public void start() {
                if (session.start(reservation)) {
                    LOG.log(Level.DEBUG, "SockJS session {0} opened on channel {1}", session.sessionId(),
                            session.channelId());
                }
            }

            @Override
            public void onMessage(String message) {
                if (session.admitInbound(InboundRate.utf8Length(message), true)) {
                    session.onFrame(decoder.decode(message));
                }
            }

            @Override
            public void onPeerActive() {
                session.onPong();
            }

            @Override
            public void ended() {
                session.ended();
                lease.release();
            }
        };
    }

    /** A STOMP session: each SockJS message is STOMP data (stompjs sends one frame per message). */
    static SockJsSession.Handler stompSession(StompSession session, SessionLease lease) {
        return new SockJsSession.Handler() {
            @Override
            public void start() {
                // A STOMP session opens with CONNECT.
            }

            @Override
            public void onMessage(String message) {
                session.onMessage(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            public void onPeerActive() {
                session.onPong();
            }

            @Override
            public void ended() {
                session.ended();
                lease.release();
            }
        };
    }
}
