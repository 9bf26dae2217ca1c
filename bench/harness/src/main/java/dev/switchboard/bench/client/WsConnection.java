package dev.switchboard.bench.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One client WebSocket and its protocol state. Touched only by the {@link LoadClient}'s selector thread. */
final class WsConnection extends TrackedConnection {

    enum State { CONNECTING, UPGRADING, AWAIT_WELCOME, AWAIT_SUBSCRIBED, READY, CLOSED }

    private static final byte[] NO_BYTES = new byte[0];

    final ConnectionBatch batch;
    SocketChannel channel;
    SelectionKey key;
    State state = State.CONNECTING;

    /** Bytes of an incomplete frame (or HTTP head) left over from the last read, parsed with the next one. */
    byte[] carry = NO_BYTES;
    int carryLength;
    /** Bytes the socket did not take yet; null while everything was written (the common case). */
    private ByteBuffer pendingOut;

    /** When a churner became ready (System.nanoTime). */
    long readyNanos;
    /** A subscriber's new connection after the server closed the old one with a reconnect code. */
    boolean reconnect;
    /** Set before we close it ourselves, so the close is not counted as unexpected. */
    boolean closingByUs;

    WsConnection(int id, ConnectionSpec spec, ConnectionBatch batch) {
        super(id, spec);
        this.batch = batch;
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    /** Writes now if nothing is queued; queues what the socket does not take and asks for OP_WRITE. */
    void write(ByteBuffer data) throws IOException {
        if (pendingOut == null) {
            channel.write(data);
            if (!data.hasRemaining()) {
                return;
            }
            pendingOut = ByteBuffer.allocate(Math.max(64 * 1024, 2 * data.remaining()));
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
        if (pendingOut.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(2 * (pendingOut.position() + data.remaining()));
            pendingOut.flip();
            bigger.put(pendingOut);
            pendingOut = bigger;
        }
        pendingOut.put(data);
    }

    /** Writes what was queued (on OP_WRITE); back to OP_READ only once all is out. */
    void flush() throws IOException {
        if (pendingOut == null) {
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        pendingOut.flip();
        channel.write(pendingOut);
        if (pendingOut.hasRemaining()) {
            pendingOut.compact();
        } else {
            pendingOut = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Bytes queued and not yet taken by the socket. */
    int backlog() {
        return pendingOut == null ? 0 : pendingOut.position();
    }

    void closeSocket() {
        state = State.CLOSED;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // already broken
        }
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
