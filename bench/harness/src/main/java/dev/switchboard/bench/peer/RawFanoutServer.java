package dev.switchboard.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The ceiling: a WebSocket fan-out server in plain NIO on ONE thread. It accepts the upgrade by
 * hand on any path (the harness uses {@code /ws/channel}), answers {@code {"type":"welcome"}},
 * treats a text frame containing {@code "subscribe"} as a subscription (answered with
 * {@code {"type":"subscribed"}}) and fans a frame containing {@code "publish"} out, unchanged, to
 * every subscriber: the frame is encoded once and written to each socket with one
 * {@code write()} per frame, the per-frame cost the facts measure. No token check, no
 * JSON parsing, no queue unless a socket is full: nothing a real server could do less.
 *
 * <p>Usage: {@code RawFanoutServer <port>}; prints {@code READY <port>} once listening.
 */
public final class RawFanoutServer {

    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUBLISH = "\"publish\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBSCRIBE = "\"subscribe\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME = "{\"type\":\"welcome\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBSCRIBED = "{\"type\":\"subscribed\"}".getBytes(StandardCharsets.US_ASCII);
    /** A subscriber with this much unsent is dropped, as a real server would close a slow consumer. */
    private static final int MAX_PENDING = 8 << 20;

    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    /** The one encoded copy of the frame being fanned out (direct: no copy per write()). */
    private final ByteBuffer fanoutFrame = ByteBuffer.allocateDirect(70 * 1024);
    private final ByteBuffer small = ByteBuffer.allocate(1024);
    private final List<RawConnection> subscribers = new ArrayList<>();
    private final ServerSocketChannel server;

    private RawFanoutServer(int port) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        RawFanoutServer server = listen(port);
        System.out.println("READY " + port);
        System.out.flush();
        server.serve();
    }

    /** Binds to {@code port} (0: any free port) on all interfaces; {@link #serve} then runs it. */
    public static RawFanoutServer listen(int port) throws IOException {
        return new RawFanoutServer(port);
    }

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** Stops {@link #serve} (from another thread) and closes the listening socket. */
    public void close() throws IOException {
        selector.close();
        server.close();
    }

    /** Serves on the calling thread until {@link #close}. */
    public void serve() throws IOException {
        while (selector.isOpen()) {
            try {
                selector.select();
            } catch (java.nio.channels.ClosedSelectorException e) {
                return;
            }
            if (!selector.isOpen()) {
                return;
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key;
                try {
                    key = keys.next();
                } catch (java.util.ConcurrentModificationException e) {
                    if (!selector.isOpen()) {
                        return; // close() from another thread emptied the key set under us
                    }
                    throw e;
                }
                keys.remove();
                try {
                    if (key.isAcceptable()) {
                        accept((ServerSocketChannel) key.channel());
                    } else {
                        RawConnection connection = (RawConnection) key.attachment();
                        if (key.isWritable()) {
                            flush(connection);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(connection);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (key.attachment() instanceof RawConnection connection) {
                        close(connection);
                    }
                }
            }
        }
    }

    private void accept(ServerSocketChannel server) throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            RawConnection connection = new RawConnection(channel);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        }
    }

    private void read(RawConnection connection) throws IOException {
        readBuffer.clear();
        readBuffer.put(connection.carry, 0, connection.carryLength);
        int n = connection.channel.read(readBuffer);
        if (n < 0) {
            close(connection);
            return;
        }
        byte[] bytes = readBuffer.array();
        int end = readBuffer.position();
        int at = 0;
        if (!connection.upgraded) {
            int headEnd = indexOf(bytes, 0, end, HEAD_END);
            if (headEnd < 0) {
                connection.keep(bytes, 0, end);
                return;
            }
            upgrade(connection, new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1));
            at = headEnd + 4;
        }
        while (connection.open && end - at >= 6) {
            int opcode = bytes[at] & 0x0F;
            int length = bytes[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                close(connection); // nothing the harness sends is that large
                return;
            }
            int maskAt = at + header;
            int payloadAt = maskAt + 4;
            if (end - payloadAt < length) {
                break;
            }
            for (int i = 0; i < length; i++) { // clients always mask (RFC 6455 section 5.3)
                bytes[payloadAt + i] ^= bytes[maskAt + (i & 3)];
            }
            frame(connection, opcode, bytes, payloadAt, length);
            at = payloadAt + length;
        }
        if (connection.open) {
            connection.keep(bytes, at, end);
        }
    }

    private void frame(RawConnection connection, int opcode, byte[] bytes, int off, int len) throws IOException {
        switch (opcode) {
            case 0x1 -> {
                if (indexOf(bytes, off, off + len, PUBLISH) >= 0) {
                    fanOut(bytes, off, len);
                } else if (indexOf(bytes, off, off + len, SUBSCRIBE) >= 0) {
                    if (!connection.subscribed) {
                        connection.subscribed = true;
                        subscribers.add(connection);
                    }
                    sendSmall(connection, 0x1, SUBSCRIBED, 0, SUBSCRIBED.length);
                }
            }
            case 0x8 -> {
                sendSmall(connection, 0x8, bytes, off, Math.min(len, 2));
                close(connection);
            }
            case 0x9 -> sendSmall(connection, 0xA, bytes, off, len);
            default -> {
                // pong, binary, continuation: ignored
            }
        }
    }

    private void fanOut(byte[] payload, int off, int len) {
        fanoutFrame.clear();
        putHeader(fanoutFrame, 0x1, len);
        fanoutFrame.put(payload, off, len);
        fanoutFrame.flip();
        int frameLength = fanoutFrame.limit();
        boolean anyClosed = false;
        for (int i = 0, n = subscribers.size(); i < n; i++) {
            RawConnection subscriber = subscribers.get(i);
            if (!subscriber.open) {
                anyClosed = true;
                continue;
            }
            fanoutFrame.limit(frameLength).position(0);
            try {
                if (subscriber.pending == null) {
                    subscriber.channel.write(fanoutFrame);
                    if (!fanoutFrame.hasRemaining()) {
                        continue;
                    }
                }
                queue(subscriber, fanoutFrame);
            } catch (IOException e) {
                // That subscriber's socket broke (a churner left): drop it, not the publisher.
                close(subscriber);
                anyClosed = true;
            }
        }
        if (anyClosed) {
            subscribers.removeIf(s -> !s.open);
        }
    }

    private void upgrade(RawConnection connection, String head) throws IOException {
        String key = null;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-key")) {
                key = line.substring(colon + 1).trim();
            }
        }
        if (key == null) {
            close(connection);
            return;
        }
        String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII));
        write(connection, out);
        connection.upgraded = true;
        sendSmall(connection, 0x1, WELCOME, 0, WELCOME.length);
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendSmall(RawConnection connection, int opcode, byte[] payload, int off, int len) throws IOException {
        small.clear();
        putHeader(small, opcode, len);
        small.put(payload, off, len);
        small.flip();
        write(connection, small);
    }

    private static void putHeader(ByteBuffer out, int opcode, int len) {
        out.put((byte) (0x80 | opcode));
        if (len < 126) {
            out.put((byte) len);
        } else {
            out.put((byte) 126);
            out.putShort((short) len);
        }
    }

    private void write(RawConnection connection, ByteBuffer data) throws IOException {
        if (connection.pending == null) {
            connection.channel.write(data);
            if (!data.hasRemaining()) {
                return;
            }
        }
        queue(connection, data);
    }

    private void queue(RawConnection connection, ByteBuffer data) {
        if (connection.pending == null) {
            connection.pending = ByteBuffer.allocate(Math.max(16 * 1024, 2 * data.remaining()));
            connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        if (connection.pending.remaining() < data.remaining()) {
            int needed = connection.pending.position() + data.remaining();
            if (needed > MAX_PENDING) {
                close(connection);
                return;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_PENDING, 2 * needed));
            connection.pending.flip();
            bigger.put(connection.pending);
            connection.pending = bigger;
        }
        connection.pending.put(data);
    }

    private void flush(RawConnection connection) throws IOException {
        ByteBuffer pending = connection.pending;
        if (pending == null) {
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        pending.flip();
        connection.channel.write(pending);
        if (pending.hasRemaining()) {
            pending.compact();
        } else {
            connection.pending = null;
            connection.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void close(RawConnection connection) {
        connection.open = false;
        try {
            connection.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static int indexOf(byte[] hay, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** One accepted socket; owned by the server's single thread. */
    private static final class RawConnection {
        final SocketChannel channel;
        SelectionKey key;
        boolean open = true;
        boolean upgraded;
        boolean subscribed;
        byte[] carry = new byte[0];
        int carryLength;
        ByteBuffer pending;

        RawConnection(SocketChannel channel) {
            this.channel = channel;
        }

        void keep(byte[] bytes, int from, int to) {
            int length = to - from;
            if (carry.length < length) {
                carry = new byte[Math.max(length, 256)];
            }
            System.arraycopy(bytes, from, carry, 0, length);
            carryLength = length;
        }
    }
}
