package dev.switchboard.bench.client;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One client WebSocket and its protocol state. Touched only by the {@link LoadClient}'s selector thread. */
final class WsConnection {

    enum State { CONNECTING, UPGRADING, AWAIT_WELCOME, AWAIT_SUBSCRIBED, READY, CLOSED }

    private static final byte[] NO_BYTES = new byte[0];

    final int id;
    final ConnectionSpec spec;
    final ConnectionBatch batch;
    SocketChannel channel;
    SelectionKey key;
    State state = State.CONNECTING;

    /** Bytes of an incomplete frame (or HTTP head) left over from the last read, parsed with the next one. */
    byte[] carry = NO_BYTES;
    int carryLength;
    /** Bytes the socket did not take yet; null while everything was written (the common case). */
    ByteBuffer pendingOut;

    /** Highest publisher sequence number seen; -1 before the first message. */
    long lastSeq = -1;
    /** Highest per-user push sequence number seen (HttpUserPusher); pushes start at 0. */
    long lastUserSeq = -1;
    /** Generation of the last {@code awaitAllReached} target this connection reached. */
    int reachedGeneration;
    /** When a churner became ready (System.nanoTime). */
    long readyNanos;
    /** A slow consumer on purpose: no longer read from (see LoadClient.stall). */
    boolean stalled;
    /** Set before we close it ourselves, so the close is not counted as unexpected. */
    boolean closingByUs;

    WsConnection(int id, ConnectionSpec spec, ConnectionBatch batch) {
        this.id = id;
        this.spec = spec;
        this.batch = batch;
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    void keepCarry(byte[] source, int from, int to) {
        int length = to - from;
        if (carry.length < length) {
            carry = new byte[Math.max(length, 2 * carry.length)];
        }
        System.arraycopy(source, from, carry, 0, length);
        carryLength = length;
    }
}
