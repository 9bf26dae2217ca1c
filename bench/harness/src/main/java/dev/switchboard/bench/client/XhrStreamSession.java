package dev.switchboard.bench.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One SockJS session over {@code xhr_streaming}, as the {@link XhrStreamingClient} drives it: one
 * long-lived HTTP/1.1 connection carrying a succession of streaming responses (each ended by the
 * server after 128 KiB or a heart-beat, then asked for again on the same connection), plus the
 * protocol state and where the {@link XhrStreamParser} is inside the current response. Touched only
 * by the client's selector thread.
 */
final class XhrStreamSession extends TrackedConnection {

    /** The SockJS session's life, as the native protocol inside it goes. */
    enum State { CONNECTING, AWAIT_WELCOME, AWAIT_SUBSCRIBED, READY, CLOSED }

    /** Where the parser is in the current response (RFC 9112 sections 6 and 7.1). */
    enum Wire {
        /** Before the blank line ending the response head. */
        HEAD,
        /** In a chunk-size line (hex digits, then an extension or CRLF). */
        CHUNK_SIZE,
        /** In a chunk-size line's extension, up to its LF. */
        CHUNK_EXTENSION,
        /** In a chunk's data. */
        CHUNK_DATA,
        /** In the CRLF after a chunk's data. */
        CHUNK_DATA_END,
        /** After the last (empty) chunk: trailer lines, up to an empty one. */
        TRAILER,
        /** In a body of a known Content-Length. */
        IDENTITY,
        /** The response is complete. */
        DONE
    }

    private static final byte[] NO_BYTES = new byte[0];

    final ConnectionBatch batch;
    /** The request that opens one streaming response, kept for every re-open: nothing is built per stream. */
    final byte[] streamRequest;
    /** {@code /sockjs/channel/<server>/<session>/xhr_send?token=...&channelId=...}. */
    final String sendPath;
    SocketChannel channel;
    SelectionKey key;
    State state = State.CONNECTING;
    boolean closingByUs;

    Wire wire = Wire.HEAD;
    /** The current response was chunked (else its length was given). */
    boolean chunked;
    /** The server said {@code Connection: close}: the next stream needs a new connection. */
    boolean closeAfterResponse;
    /** Chunk size being read, or bytes left in the current chunk or identity body. */
    long size;
    long remaining;
    /** Bytes in the trailer line being read (an empty line ends the response). */
    int trailerLineLength;

    /**
     * Decoded bytes of an incomplete SockJS frame (or, in {@link Wire#HEAD}, raw bytes of an
     * incomplete response head), parsed again with the next read.
     */
    byte[] carry = NO_BYTES;
    int carryLength;
    /** Bytes of a request the socket did not take yet; null while everything was written. */
    private ByteBuffer pendingOut;

    /** Responses received on this session, the first one included. */
    int streams;
    /** When the last response ended and the next was asked for (System.nanoTime); 0 while a stream is open. */
    long reopenNanos;

    XhrStreamSession(int id, ConnectionSpec spec, ConnectionBatch batch, byte[] streamRequest, String sendPath) {
        super(id, spec);
        this.batch = batch;
        this.streamRequest = streamRequest;
        this.sendPath = sendPath;
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    /** Starts reading a new response. */
    void expectResponse() {
        wire = Wire.HEAD;
        chunked = false;
        closeAfterResponse = false;
        size = 0;
        remaining = 0;
        trailerLineLength = 0;
        carryLength = 0;
    }

    /** Asks for the next streaming response on the current connection. */
    void requestStream() throws IOException {
        expectResponse();
        write(ByteBuffer.wrap(streamRequest));
    }

    /** Writes now if nothing is queued; queues what the socket does not take and asks for OP_WRITE. */
    void write(ByteBuffer data) throws IOException {
        if (pendingOut == null) {
            channel.write(data);
            if (!data.hasRemaining()) {
                return;
            }
            pendingOut = ByteBuffer.allocate(Math.max(4096, 2 * data.remaining()));
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
        if (pendingOut != null) {
            pendingOut.flip();
            channel.write(pendingOut);
            if (pendingOut.hasRemaining()) {
                pendingOut.compact();
                return;
            }
            pendingOut = null;
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    /** Closes the current connection only (the session goes on over a new one). */
    void closeChannel() {
        pendingOut = null;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // already broken
        }
    }

    void closeSocket() {
        state = State.CLOSED;
        closeChannel();
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
