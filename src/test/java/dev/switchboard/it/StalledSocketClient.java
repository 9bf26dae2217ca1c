package dev.switchboard.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A client that stops reading: a raw socket with a tiny receive buffer that completes a WebSocket
 * upgrade to the native endpoint, may write masked text frames, and never reads another byte
 * after the {@code 101} response. What the server sends piles up in the kernel's buffers until
 * the server's writes to this connection can no longer complete.
 */
final class StalledSocketClient implements AutoCloseable {

    /** Small, so that the server's writes stall after little data (set before connect, see {@link Socket#setReceiveBufferSize}). */
    private static final int RECEIVE_BUFFER_BYTES = 4096;

    private final Socket socket;

    private StalledSocketClient(Socket socket) {
        this.socket = socket;
    }

    /** Upgrades on {@code /ws/channel}; fails unless the server answers {@code 101}. */
    static StalledSocketClient connect(ServerProcess server, String token, String channelId) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(10_000);
            String path = "/ws/channel?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&channelId="
                    + URLEncoder.encode(channelId, StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(RawUpgrade.request(server, path, null));
            out.flush();
            String head = RawUpgrade.readHead(socket.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse("(no answer)"));
            }
            return new StalledSocketClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes one masked text frame (the only way this client talks after the upgrade). */
    void sendText(String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(MaskedFrames.text(text));
        out.flush();
    }

    /** The receive buffer the kernel actually granted (it may round the request up). */
    int receiveBufferSize() throws IOException {
        return socket.getReceiveBufferSize();
    }

    /** Drops the connection with a reset: nothing unread is ever read. */
    @Override
    public void close() throws IOException {
        if (!socket.isClosed()) {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }
}
