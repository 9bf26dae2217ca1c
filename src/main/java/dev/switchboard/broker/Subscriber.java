package dev.switchboard.broker;

import java.util.List;

import java.time.Instant;

/**
 * A connected session as the broker sees it: something that takes deliveries and can be told to
 * disconnect. Implementations live in the session layer.
 *
 * <p>Contract: {@link #deliver} never blocks and never throws for a slow or dead peer; it hands
 * the delivery to the session's own outbound queue (which may decide to close the session) and
 * returns. {@link #disconnect} is asynchronous and idempotent.
 */
public interface Subscriber {

    /** Unique, opaque id of this session within the deployment. */
    String sessionId();

    /** The authenticated user (the token's {@code sub}). */
    String user();

    /**
     * The {@code jti} of the token the session holds now (a refresh replaces it), or {@code null}
     * if that token has none or the client is not authenticated yet; revocation by token id uses it.
     */
    default String tokenId() {
        return null;
    }

    /** The channel this session holds, or {@code null} for sessions without a channel. */
    String channelId();

    /** Wire protocol name, e.g. {@code native} or {@code stomp}; informational. */
    String protocol();

    /** When the session was opened. */
    Instant openedAt();

    /** Queues a delivery for this session; never blocks. */
    void deliver(Delivery delivery);

    /**
     * Whether this session can queue all of {@code missed} at once, as a resume replays them. A
     * replay that would overflow the session's outbound bound would close it as a slow consumer
     * before it could read any of it, and again on every retry of the same resume; the broker
     * answers {@code recovered: false} instead. Sessions without a bound take everything.
     */
    default boolean canTakeReplay(List<Delivery> missed) {
        return true;
    }

    /**
     * How the session closed, once it has: the code the server chose, or {@link CloseCode#NORMAL}
     * when the client or the network ended it. Reported in {@link dev.switchboard.events.SessionClosed}.
     */
    default CloseCode closeCode() {
        return CloseCode.NORMAL;
    }

    /** Closes the session with the given reason; safe to call from any thread, more than once. */
    void disconnect(CloseCode reason);
}
