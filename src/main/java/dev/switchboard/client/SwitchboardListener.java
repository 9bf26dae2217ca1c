package dev.switchboard.client;

/**
 * Receives what a {@link SwitchboardClient} sees. Every method is called on the client's one event
 * thread, one call at a time and in the order things happened, so an implementation needs no
 * locking of its own; a method that blocks holds up the client (do long work elsewhere).
 *
 * <p>Only {@link #onMessage} must be implemented. An exception thrown by any method is passed to
 * {@link #onError}, which logs it at WARNING unless overridden (and one thrown by that is logged).
 */
public interface SwitchboardListener {

    /**
     * A message. Topic messages arrive in offset order and at most once per listener, also across
     * reconnects. If {@link IncomingMessage#ackRequired()}, the client acknowledges the message
     * after this method returns normally; throw to leave it unacknowledged, so that the server
     * redelivers it later.
     */
    void onMessage(IncomingMessage message) throws Exception;

    /** A session is open (its {@code welcome} arrived); subscriptions are being (re)sent. */
    default void onConnected(String sessionId, String user) {
    }

    /**
     * A subscription is in place: {@code offset}/{@code epoch} is the topic's position,
     * {@code recovered} whether everything missed since the last connection was replayed.
     */
    default void onSubscribed(String topic, long offset, String epoch, boolean recovered) {
    }

    /**
     * An open session closed. {@code code} is the WebSocket close code (1006 when the connection
     * was lost without one); {@code willRetry} whether the client reconnects by itself.
     */
    default void onDisconnected(int code, String reason, boolean willRetry) {
    }

    /**
     * A connection attempt failed: a {@link HandshakeRefusedException} with the HTTP status when
     * the server refused it, else the I/O failure. {@code willRetry} whether another attempt follows.
     */
    default void onConnectFailed(Exception cause, boolean willRetry) {
    }

    /**
     * A resumed subscription could not be recovered: some messages of the topic are lost to this
     * client (see {@link RecoveryFailure}). Live messages continue.
     */
    default void onRecoveryFailed(RecoveryFailure failure) {
    }

    /**
     * The session's token was refreshed in place: the server said it was expiring, the token
     * supplier gave a new one and the server accepted it; the session now lasts until
     * {@code expiresAt} (the new token's {@code exp}). A refused refresh is an
     * {@link #onServerError} with {@code refType} {@code refresh}.
     */
    default void onTokenRefreshed(java.time.Instant expiresAt) {
    }

    /** The server answered a request with an {@code error} frame; the session stays open. */
    default void onServerError(ServerError error) {
    }

    /**
     * A listener method threw, or the server sent a frame this client cannot read. When
     * {@link #onMessage} threw, {@code error} is a {@link MessageHandlingException} naming the
     * message, with the listener's exception as its cause.
     *
     * <p>By default, logs {@code error} with its stack trace at WARNING (logger
     * {@code dev.switchboard.client.SwitchboardClient}, through {@link System.Logger}, so
     * java.util.logging unless the application routes it elsewhere): a failing listener is never
     * silent. Override it to report failures your own way.
     */
    default void onError(Throwable error) {
        System.getLogger(SwitchboardClient.class.getName()).log(System.Logger.Level.WARNING,
                "Switchboard listener failed: " + error.getMessage(), error);
    }
}
