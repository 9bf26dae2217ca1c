package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.session.FrameSink;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/** A {@link FrameSink} on a JSR 356 session, through its portable async remote. */
final class WebSocketFrameSink implements FrameSink {

    private static final Logger LOG = System.getLogger(WebSocketFrameSink.class.getName());

    private final Session session;

    WebSocketFrameSink(Session session) {
        this.session = session;
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        try {
            session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (IllegalStateException e) {
            done.accept(e); // the session closed under us
        }
    }

    @Override
    public void sendBinary(byte[] data, Consumer<Throwable> done) {
        try {
            session.getAsyncRemote().sendBinary(java.nio.ByteBuffer.wrap(data),
                    result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (IllegalStateException e) {
            done.accept(e);
        }
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            done.accept(null);
        } catch (IOException | IllegalStateException e) {
            done.accept(e);
        }
    }

    @Override
    public void close(CloseCode code) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason()));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.DEBUG, "Closing session " + session.getId() + " with " + code.code() + " failed", e);
        }
    }
}
