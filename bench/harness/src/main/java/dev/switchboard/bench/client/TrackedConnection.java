package dev.switchboard.bench.client;

/**
 * A subscriber connection as the {@link Deliveries} ledger follows it, whatever carries its
 * messages: a WebSocket ({@link WsConnection}) or a SockJS xhr-streaming session
 * ({@link XhrStreamSession}). Touched only by the selector thread of the client that owns it.
 */
abstract class TrackedConnection {

    final int id;
    final ConnectionSpec spec;

    /** Highest publisher sequence number seen; -1 before the first message. */
    long lastSeq = -1;
    /** Highest per-user push sequence number seen (HttpUserPusher); pushes start at 0. */
    long lastUserSeq = -1;
    /** Generation of the last {@code awaitAllReached} target this connection reached. */
    int reachedGeneration;
    /** A slow consumer on purpose: no longer read from (see LoadClient.stall). */
    boolean stalled;

    TrackedConnection(int id, ConnectionSpec spec) {
        this.id = id;
        this.spec = spec;
    }
}
