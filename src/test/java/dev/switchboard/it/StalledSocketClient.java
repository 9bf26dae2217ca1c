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

    /** What a browser offers: compression, with the window size left to the server. */
    static final String BROWSER_EXTENSIONS = "permessage-deflate; client_max_window_bits";

    private final Socket socket;
    private final String upgradeResponse;

    private StalledSocketClient(Socket socket, String upgradeResponse) {
        this.socket = socket;
        this.upgradeResponse = upgradeResponse;
    }

    /** Upgrades on {@code /ws/channel}; fails unless the server answers {@code 101}. */
    static StalledSocketClient connect(ServerProcess server, String token, String channelId) throws IOException {
        return connect(server, token, channelId, null);
    }

    /**
     * Upgrades on {@code /ws/channel} offering the WebSocket extensions a browser offers
     * ({@link #BROWSER_EXTENSIONS}); fails unless the server answers {@code 101}. The client never
     * reads a frame, so whatever the server negotiates, it never has to decode anything.
     */
    static StalledSocketClient connectOfferingCompression(ServerProcess server, String token, String channelId)
            throws IOException {
        return connect(server, token, channelId, BROWSER_EXTENSIONS);
    }

    private static StalledSocketClient connect(ServerProcess server, String token, String channelId, String extensions)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(10_000);
            String path = "/ws/channel?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&channelId="
                    + URLEncoder.encode(channelId, StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(extensions == null ? RawUpgrade.request(server, path, null)
                    : RawUpgrade.requestOffering(server, path, extensions));
            out.flush();
            String head = RawUpgrade.readHead(socket.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse("(no answer)"));
            }
            return new StalledSocketClient(socket, head);
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

    /** The server's {@code 101} response head, headers included. */
    String upgradeResponse() {
        return upgradeResponse;
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
