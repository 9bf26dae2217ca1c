package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket upgrade request written by hand on a socket, to read what a refused handshake
 * answers (status line and JSON body), which WebSocket client libraries do not expose.
 */
final class RawUpgrade {

    /** The HTTP answer to an upgrade request. */
    record Answer(int status, String body) {
    }

    private RawUpgrade() {
    }

    /** Sends an upgrade request for {@code pathAndQuery} of the application (e.g. {@code /ws/channel?...}). */
    static Answer send(ServerProcess server, String pathAndQuery, String origin) throws IOException {
        return send(server, request(server, pathAndQuery, origin));
    }

    /** Sends an upgrade request for {@code uri}'s path and query, as a WebSocket client given that URI would. */
    static Answer send(ServerProcess server, URI uri, String origin) throws IOException {
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return send(server, requestFor(server, target, origin));
    }

    private static Answer send(ServerProcess server, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return read(socket.getInputStream());
        }
    }

    /** The bytes of an upgrade request for {@code pathAndQuery} of the application, with an {@code Origin} header if not null. */
    static byte[] request(ServerProcess server, String pathAndQuery, String origin) {
        return requestFor(server, server.path(pathAndQuery), origin, null);
    }

    /**
     * The same with a {@code Sec-WebSocket-Extensions} header, as browsers send it (every one
     * offers {@code permessage-deflate}).
     */
    static byte[] requestOffering(ServerProcess server, String pathAndQuery, String extensions) {
        return requestFor(server, server.path(pathAndQuery), null, extensions);
    }

    private static byte[] requestFor(ServerProcess server, String requestTarget, String origin) {
        return requestFor(server, requestTarget, origin, null);
    }

    private static byte[] requestFor(ServerProcess server, String requestTarget, String origin, String extensions) {
        return ("GET " + requestTarget + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + server.port() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Completes an upgrade, then drops the TCP connection with a reset and no close frame, as a
     * crashed client or a dead network path does. Returns the upgrade's status.
     */
    static int upgradeAndDropConnection(ServerProcess server, String pathAndQuery) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        try {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request(server, pathAndQuery, null));
            String head = readHead(socket.getInputStream());
            return Integer.parseInt(head.split(" ", 3)[1]);
        } finally {
            socket.setSoLinger(true, 0); // RST instead of FIN
            socket.close();
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String head = readHead(in);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        int contentLength = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(contentLength);
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Reads the HTTP response head byte by byte, so that not one byte of the WebSocket frames that
     * may follow it is consumed.
     */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) != -1; ) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
