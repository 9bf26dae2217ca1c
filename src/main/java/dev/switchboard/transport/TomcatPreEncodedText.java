package dev.switchboard.transport;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Sends a text frame whose UTF-8 bytes are already encoded, on a Tomcat WebSocket session, through
 * Tomcat's own send path below {@code sendText}: the container would otherwise encode the same
 * {@code String} once per recipient (a fifth of a busy fan-out's CPU in the profile, issue 14).
 * JSR 356 has no way to send pre-encoded text, so this reaches into Tomcat: the session's
 * {@code WsRemoteEndpointImplBase} and its package-private
 * {@code startMessage(byte opCode, ByteBuffer payload, boolean last, SendHandler handler)}, which
 * {@code sendText} itself ends in (after encoding) and which frames, batches, writes and completes
 * the message exactly as for {@code sendText}: same lock, same batching buffer, same send timeout,
 * same completion.
 *
 * <p>Reached by reflection, never linked: this class loads on every container, and
 * {@link #forSession} answers null wherever Tomcat's classes or that method are not there (another
 * container, another Tomcat version); the sink then sends text the portable way. The lookup is done
 * once per class loader; each session binds it to its own endpoint.
 *
 * <p>The payload buffer is wrapped per send, so many sessions share one byte array; Tomcat only
 * reads it (a server's frames are not masked).
 */
final class TomcatPreEncodedText {

    private static final Logger LOG = System.getLogger(TomcatPreEncodedText.class.getName());
    private static final byte OPCODE_TEXT = 0x1; // RFC 6455 section 5.2
    /**
     * {@code (Object endpoint, byte, ByteBuffer, boolean, SendHandler) void}, or null where Tomcat's
     * send path is not what this class expects.
     */
    private static final MethodHandle START_MESSAGE;
    /** Reads the {@code WsRemoteEndpointImplBase} out of a session's async remote; null as above. */
    private static final MethodHandle ENDPOINT_OF_REMOTE;

    static {
        MethodHandle startMessage = null;
        MethodHandle endpointOfRemote = null;
        try {
            ClassLoader loader = TomcatPreEncodedText.class.getClassLoader();
            Class<?> endpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
            Class<?> remote = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
            Method start = endpoint.getDeclaredMethod("startMessage", byte.class, ByteBuffer.class, boolean.class,
                    SendHandler.class);
            start.setAccessible(true);
            Field base = remote.getDeclaredField("base");
            base.setAccessible(true);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            startMessage = lookup.unreflect(start).asType(MethodType.methodType(void.class, Object.class, byte.class,
                    ByteBuffer.class, boolean.class, SendHandler.class));
            endpointOfRemote = lookup.unreflectGetter(base).asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not Tomcat, or a Tomcat whose internals moved: the portable path is correct, only slower.
            LOG.log(Level.DEBUG, "Tomcat's internal send path is not available; text is sent the portable way", e);
            startMessage = null;
            endpointOfRemote = null;
        }
        START_MESSAGE = startMessage;
        ENDPOINT_OF_REMOTE = endpointOfRemote;
    }

    private final Object endpoint;

    private TomcatPreEncodedText(Object endpoint) {
        this.endpoint = endpoint;
    }

    /** The fast path for {@code session}, or null if it is not a Tomcat session this class can drive. */
    static TomcatPreEncodedText forSession(Session session) {
        if (!session.getClass().getName().equals("org.apache.tomcat.websocket.WsSession") || START_MESSAGE == null) {
            return null;
        }
        Object remote = session.getAsyncRemote();
        if (!remote.getClass().getName().equals("org.apache.tomcat.websocket.WsRemoteEndpointAsync")) {
            return null;
        }
        try {
            Object endpoint = (Object) ENDPOINT_OF_REMOTE.invokeExact(remote);
            return endpoint == null ? null : new TomcatPreEncodedText(endpoint);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "Could not reach Tomcat's send path for session " + session.getId()
                    + "; sending text the portable way", e);
            return null;
        }
    }

    /**
     * Starts sending {@code utf8} as one complete text message; {@code handler} is called once, as
     * for {@code RemoteEndpoint.Async.sendText}. Throws IllegalStateException if the session closed.
     */
    void send(byte[] utf8, SendHandler handler) {
        try {
            START_MESSAGE.invokeExact(endpoint, OPCODE_TEXT, ByteBuffer.wrap(utf8), true, handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Tomcat's startMessage threw a checked exception", e);
        }
    }
}
