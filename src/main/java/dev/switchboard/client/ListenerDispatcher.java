package dev.switchboard.client;

import java.io.IOException;
import java.time.Instant;

/**
 * Calls the application's {@link SwitchboardListener} and isolates its failures: what a method
 * throws goes to {@link SwitchboardListener#onError}, and what that throws to the log, so a
 * faulty listener can never break the client's state machine.
 *
 * <p>Event thread only: that is what gives the listener its one-call-at-a-time, in-order contract.
 */
final class ListenerDispatcher {

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final SwitchboardListener listener;
    private final String channelId;

    ListenerDispatcher(SwitchboardListener listener, String channelId) {
        this.listener = listener;
        this.channelId = channelId;
    }

    /**
     * Hands {@code message} to the listener and says whether it was handled, i.e. returned
     * normally. A failure is reported to onError and the message counts as not handled.
     */
    boolean message(IncomingMessage message) {
        try {
            listener.onMessage(message);
            return true;
        } catch (Exception | LinkageError | AssertionError e) {
            call(() -> listener.onError(new MessageHandlingException(message, e)));
            return false;
        }
    }

    void connected(String sessionId, String user) {
        call(() -> listener.onConnected(sessionId, user));
    }

    void subscribed(String topic, long offset, String epoch, boolean recovered) {
        call(() -> listener.onSubscribed(topic, offset, epoch, recovered));
    }

    void disconnected(int code, String reason, boolean willRetry) {
        call(() -> listener.onDisconnected(code, reason, willRetry));
    }

    void connectFailed(Exception cause, boolean willRetry) {
        call(() -> listener.onConnectFailed(cause, willRetry));
    }

    void recoveryFailed(RecoveryFailure failure) {
        call(() -> listener.onRecoveryFailed(failure));
    }

    void tokenRefreshed(Instant expiresAt) {
        call(() -> listener.onTokenRefreshed(expiresAt));
    }

    void serverError(ServerError error) {
        call(() -> listener.onServerError(error));
    }

    void unreadableFrame(Exception cause) {
        call(() -> listener.onError(new IOException("unreadable frame from the server", cause)));
    }

    /** Calls the listener; what it throws goes to its onError, and what that throws to the log. */
    private void call(ListenerCall call) {
        try {
            call.run();
        } catch (Exception | LinkageError | AssertionError e) {
            try {
                listener.onError(e);
            } catch (Exception | LinkageError | AssertionError again) {
                LOG.log(System.Logger.Level.WARNING, "listener of channel " + channelId + " failed", again);
            }
        }
    }

    @FunctionalInterface
    private interface ListenerCall {
        void run() throws Exception;
    }
}
