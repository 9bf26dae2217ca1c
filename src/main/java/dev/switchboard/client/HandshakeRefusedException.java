package dev.switchboard.client;

import java.io.IOException;
import java.lang.reflect.Method;

/**
 * The server refused the WebSocket handshake with an HTTP status (CONTRACT.md section 2): 400
 * malformed request, 401 bad or expired token, 403 origin or channel not permitted, 409 channel
 * already open, 429 rate limited, 5xx server trouble.
 */
public final class HandshakeRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    HandshakeRefusedException(int status, Throwable cause) {
        super("handshake refused with HTTP " + status, cause);
        this.status = status;
    }

    /** The HTTP status of the refusal. */
    public int status() {
        return status;
    }

    /** Whether the client retries this refusal by itself (409, 429, 5xx). */
    public boolean isRetryable() {
        return RetryDecision.forHandshakeStatus(status) == RetryDecision.RETRY;
    }

    /**
     * The HTTP status of a refused handshake as the WebSocket client reports it, or 0. JSR 356
     * has no portable way to tell: Tyrus reports it as a cause with {@code getHttpStatusCode()},
     * read here by name so that this client depends on the {@code jakarta.websocket} API alone.
     */
    static int statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            try {
                Method getter = t.getClass().getMethod("getHttpStatusCode");
                if (getter.getReturnType() == int.class) {
                    return (int) getter.invoke(t);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not a handshake exception of a known client: look further down the causes
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return 0;
    }
}
