package dev.switchboard.bench.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One blocking native-protocol connect ({@code /ws/channel?token=...&channelId=...}), for the
 * fault scenarios where a handful of connects are timed one by one and the load generator's
 * selector would only add noise. A connect succeeds when the upgrade answers 101 and the server's
 * first frame ({@code welcome}) arrived: with {@code SWITCHBOARD_CHANNEL_POLICY=reject} (the
 * default) a channel held elsewhere in the cluster is refused in the handshake with 409.
 * Not thread safe; one instance is one connection.
 */
final class HandshakeProbe implements AutoCloseable {

    private final Socket socket;
    private final int status;
    private final String firstFrame;

    private HandshakeProbe(Socket socket, int status, String firstFrame) {
        this.socket = socket;
        this.status = status;
        this.firstFrame = firstFrame;
    }

    /**
     * Connects and waits for the upgrade's answer and, on 101, for the first frame. A refused TCP
     * connect or a timeout gives status -1 (never thrown: a dead node is an expected answer here).
     */
    static HandshakeProbe connect(InetSocketAddress server, String channel, String token, int timeoutMillis) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            String request = "GET /ws/channel?token=" + token + "&channelId=" + channel + " HTTP/1.1\r\n"
                    + "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            if (status != 101) {
                socket.close();
                return new HandshakeProbe(socket, status, "");
            }
            return new HandshakeProbe(socket, status, readTextFrame(in));
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken
            }
            return new HandshakeProbe(socket, -1, String.valueOf(e.getMessage()));
        }
    }

    /** 101 and a {@code welcome}: the server granted the channel. */
    boolean granted() {
        return status == 101 && firstFrame.contains("\"welcome\"");
    }

    int status() {
        return status;
    }

    /** Whether the server closed the connection or it broke (reads with a short timeout; true on EOF or error). */
    boolean lost(int timeoutMillis) {
        try {
            socket.setSoTimeout(timeoutMillis);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** One unmasked server frame (RFC 6455 section 5.2); its payload as text. */
    private static String readTextFrame(InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("connection closed before the first frame");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        byte[] payload = in.readNBytes((int) Math.min(length, 1 << 20));
        return new String(payload, StandardCharsets.UTF_8);
    }
}
