package dev.switchboard.client;

import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server refused the WebSocket handshake with an HTTP status (docs/protocol.md, Handshake): 400
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

    /** Tomcat's client names the status only in its message: "The HTTP response from the server [403] did not…". */
    private static final Pattern BRACKETED_STATUS = Pattern.compile("\\[([1-5][0-9][0-9])\\]");

    /**
     * The HTTP status of a refused handshake as the WebSocket client reports it, or 0. JSR 356
     * has no portable way to tell, so this knows the two clients in use: Tyrus reports it as a
     * cause with {@code getHttpStatusCode()} (read by name, so that this client depends on the
     * {@code jakarta.websocket} API alone), Tomcat in brackets in the
     * {@link DeploymentException}'s message.
     */
    static int statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            try {
                Method getter = t.getClass().getMethod("getHttpStatusCode");
                if (getter.getReturnType() == int.class) {
                    return (int) getter.invoke(t);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not a handshake exception of Tyrus: try the message, then the causes
            }
            if (t instanceof DeploymentException && t.getMessage() != null) {
                Matcher status = BRACKETED_STATUS.matcher(t.getMessage());
                if (status.find()) {
                    return Integer.parseInt(status.group(1));
                }
            }
        }
        return 0;
    }
}
