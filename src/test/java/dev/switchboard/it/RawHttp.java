package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP exchange written by hand on a socket, for what HTTP client libraries hide or refuse:
 * HTTP/1.0 requests, {@code Connection} and {@code Upgrade} headers of one's choosing, the exact
 * framing of the response (chunks, {@code Content-Length}, connection close), and a client that
 * drops its connection with a reset in the middle of a response, as a browser tab that is closed.
 */
final class RawHttp implements AutoCloseable {

    /** A response head: status line and headers (names in lower case, last value wins). */
    record Head(String version, int status, Map<String, String> headers) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    /** Chunked-body text read and not yet taken by {@link #readChunksThrough}. */
    private final StringBuilder chunkedText = new StringBuilder();

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** A connection to {@code server} (or the nginx in front of it). */
    static RawHttp connect(ServerProcess server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return new RawHttp(socket);
    }

    /**
     * A connection with a small receive buffer (set before connecting, so the window is small from
     * the start): a client that stops reading stalls the server's writes after little data.
     */
    static RawHttp connectWithReceiveBuffer(ServerProcess server, int bytes) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(bytes);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 10_000);
        socket.setSoTimeout(10_000);
        return new RawHttp(socket);
    }

    /**
     * Writes a request for {@code pathAndQuery} of the application (context path added) with
     * {@code headers} (name, value, ...) and {@code body} (null: none); Host and, with a body,
     * Content-Length are added.
     */
    void send(ServerProcess server, String method, String pathAndQuery, String version, String body, String... headers)
            throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(server.path(pathAndQuery)).append(' ')
                .append(version).append("\r\n");
        request.append("Host: 127.0.0.1:").append(server.port()).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            request.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads the response head. */
    Head readHead() throws IOException {
        String head = RawUpgrade.readHead(in);
        if (head.isEmpty()) {
            throw new IOException("connection closed before a response");
        }
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(statusLine[0].replace("HTTP/", ""), Integer.parseInt(statusLine[1]), headers);
    }

    /** Exactly {@code count} bytes of the body as text. */
    String read(int count) throws IOException {
        byte[] bytes = in.readNBytes(count);
        if (bytes.length < count) {
            throw new IOException("connection closed after " + bytes.length + " of " + count + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Body bytes up to and including {@code delimiter} (of an unchunked body), as text. */
    String readThrough(String delimiter) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] end = delimiter.getBytes(StandardCharsets.UTF_8);
        for (;;) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection closed before '" + SockJsStream.printable(delimiter) + "' after '"
                        + SockJsStream.printable(bytes.toString(StandardCharsets.UTF_8)) + "'");
            }
            bytes.write(b);
            byte[] sofar = bytes.toByteArray();
            if (sofar.length >= end.length && java.util.Arrays.equals(sofar, sofar.length - end.length, sofar.length,
                    end, 0, end.length)) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** One chunk of a chunked body ({@code ""} for the last chunk). */
    String readChunk() throws IOException {
        String sizeLine = readLine();
        int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
        String data = read(size);
        String crlf = read(2);
        if (!crlf.equals("\r\n")) {
            throw new IOException("chunk not followed by CRLF");
        }
        return data;
    }

    /**
     * Text of a chunked body through the next {@code delimiter}, however the server split or joined
     * frames across chunks; what follows the delimiter is kept for the next call.
     */
    String readChunksThrough(String delimiter) throws IOException {
        for (;;) {
            int at = chunkedText.indexOf(delimiter);
            if (at >= 0) {
                String text = chunkedText.substring(0, at + delimiter.length());
                chunkedText.delete(0, at + delimiter.length());
                return text;
            }
            String chunk = readChunk();
            if (chunk.isEmpty()) {
                throw new IOException("last chunk before '" + SockJsStream.printable(delimiter) + "'; had '"
                        + SockJsStream.printable(chunkedText.toString()) + "'");
            }
            chunkedText.append(chunk);
        }
    }

    /** Whether the chunked body ends now: nothing left over and the next chunk is the last one. */
    boolean chunkedBodyEnds() throws IOException {
        return chunkedText.isEmpty() && readChunk().isEmpty();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                return line.toString(StandardCharsets.US_ASCII).replace("\r", "");
            }
            line.write(b);
        }
        throw new IOException("connection closed in a chunk header");
    }

    /** Everything until the server closes the connection (waiting up to the socket timeout between bytes). */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection: the next read sees the end of the stream. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    /** Whether response bytes arrived that were not read yet. */
    boolean hasData() throws IOException {
        return in.available() > 0;
    }

    /** Drops the connection with a reset (SO_LINGER 0), without reading what is left: an aborted request. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
