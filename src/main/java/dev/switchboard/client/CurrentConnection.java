package dev.switchboard.client;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.NativeFrameCodec;
import java.io.IOException;

/**
 * The connection a {@link SwitchboardClient} is using now, if any, and whether its
 * {@code welcome} arrived. Reports of any other connection are stale (one given up already, closed
 * locally or by the heart-beat check) and are ignored by comparing against {@link #is}.
 *
 * <p>Event thread only, which also makes it the one sender on its session (docs/architecture.md).
 */
final class CurrentConnection {

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final NativeFrameCodec codec;
    private final String channelId;
    /** Null between connections. */
    private Connection connection;
    /** Whether {@link #connection}'s welcome arrived. */
    private boolean welcomed;

    CurrentConnection(NativeFrameCodec codec, String channelId) {
        this.codec = codec;
        this.channelId = channelId;
    }

    /** Makes {@code attempt} the current connection, not welcomed yet. */
    void replaceWith(Connection attempt) {
        connection = attempt;
        welcomed = false;
    }

    /** Forgets the current connection (without closing it) and returns it, or null. */
    Connection clear() {
        Connection previous = connection;
        connection = null;
        welcomed = false;
        return previous;
    }

    /** The current connection, or null. */
    Connection get() {
        return connection;
    }

    /** Whether {@code candidate} is the current connection (false for a stale one). */
    boolean is(Connection candidate) {
        return candidate == connection;
    }

    void markWelcomed() {
        welcomed = true;
    }

    /** Whether a session is open: the current connection's welcome arrived. */
    boolean isWelcomed() {
        return welcomed;
    }

    /** Sends on the current connection, if any; a failure shows up as its close. */
    void send(ClientFrame frame) {
        send(connection, frame);
    }

    /** Sends on {@code on} if it is still the current one; a failure shows up as its close. */
    void send(Connection on, ClientFrame frame) {
        if (on == null || on != connection) {
            return;
        }
        try {
            on.send(codec.encode(frame));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "sending on channel {0} failed: {1}", channelId, e.toString());
        }
    }

    /**
     * Sends on the current, welcomed connection and lets the caller see a failure (for publish and
     * send, whose futures report it).
     */
    void sendOrThrow(ClientFrame frame) throws IOException {
        connection.send(codec.encode(frame));
    }
}
