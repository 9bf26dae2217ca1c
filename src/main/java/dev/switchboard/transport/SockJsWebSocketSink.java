package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.session.FrameSink;
import dev.switchboard.sockjs.SockJsFrames;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The {@code websocket} transport of SockJS (SockJS 0.3.3, "WebSocket"): a {@link WebSocketFrameSink}
 * whose frames are SockJS frames, {@code o} first, each message as {@code a["..."]}, and
 * {@code c[code,"reason"]} before the close; heart-beats are {@code h} frames and WebSocket pings
 * ({@link #sendPing}). Same threading as the sink it wraps.
 */
final class SockJsWebSocketSink implements FrameSink {

    private static final Logger LOG = System.getLogger(SockJsWebSocketSink.class.getName());

    private final Session session;
    private final WebSocketFrameSink frames;

    SockJsWebSocketSink(Session session, TransportSettings settings) {
        this.session = session;
        this.frames = new WebSocketFrameSink(session, settings);
    }

    /** Sends the open frame; from {@code @OnOpen}, before the session can queue anything. */
    void open() throws IOException {
        session.getBasicRemote().sendText(SockJsFrames.OPEN);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        StringBuilder frame = new StringBuilder(text.length() + 8).append("a[");
        SockJsFrames.appendQuoted(frame, text);
        frames.sendText(frame.append(']').toString(), done);
    }

    /** SockJS carries text only (see {@link dev.switchboard.sockjs.SockJsSession#sendBinary}). */
    @Override
    public void sendBinary(byte[] data, Consumer<Throwable> done) {
        sendText(new String(data, StandardCharsets.UTF_8), done);
    }

    /**
     * A heart-beat is both an {@code h} frame, which the protocol asks for on every transport and
     * sockjs-client reports to the page, and a WebSocket ping, whose pong (browsers answer pings by
     * themselves) is what tells the session that its peer is alive. The queue calls this with no send
     * in flight, so the blocking send of {@code h} is allowed.
     */
    @Override
    public void sendPing(Consumer<Throwable> done) {
        try {
            session.getBasicRemote().sendText(SockJsFrames.HEARTBEAT);
        } catch (IOException | IllegalStateException e) {
            done.accept(e);
            return;
        }
        frames.sendPing(done);
    }

    @Override
    public boolean startBatch() {
        return frames.startBatch();
    }

    @Override
    public void flush(Consumer<Throwable> done) {
        frames.flush(done);
    }

    /** The queue calls this with no send in flight, so a blocking send of the close frame is allowed. */
    @Override
    public void close(CloseCode code) {
        if (session.isOpen()) {
            try {
                session.getBasicRemote().sendText(SockJsFrames.close(code.code(), code.reason()));
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.DEBUG, "SockJS close frame to session " + session.getId() + " not sent", e);
            }
        }
        frames.close(code);
    }
}
