package dev.switchboard.bench.client;

import dev.switchboard.bench.client.XhrStreamSession.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Parses, in place, what a server sent on an xhr-streaming connection: the response head, the
 * body (chunked, RFC 9112 section 7.1, or of a given length), and in it the SockJS 0.3.3 frames,
 * one per line: {@code h} (heart-beat; the 2 KiB prelude is one long such line), {@code o} (open),
 * {@code a[...]} (messages) and {@code c[code,"reason"]} (close). Each message of an {@code a[...]}
 * frame goes to the {@link Sink} as a range of the shared read buffer, still JSON-escaped (the
 * client only looks for a few keys in it): nothing is copied or allocated per message. Chunk
 * framing is removed by moving the data left over it, in the same buffer.
 *
 * <p>Stateless apart from its sink; where it is inside a response is kept in the
 * {@link XhrStreamSession}. One per client, used by its selector thread.
 */
final class XhrStreamParser {

    private static final byte[] HEAD_END = Ascii.bytes("\r\n\r\n");
    /** Far above what a server's response head takes; more means something else is talking. */
    private static final int MAX_HEAD = 16 * 1024;
    /** A chunk is at most what one flush wrote; a size beyond this is a broken stream. */
    private static final long MAX_CHUNK = 1L << 31;

    /** What the parser found. Message ranges are valid only during the call. */
    interface Sink {
        /** A response with status 200 began: frames follow. */
        void streamStarted(XhrStreamSession session) throws IOException;

        /** The server answered with another status (e.g. a handshake refusal, 401 or 409). */
        void refused(XhrStreamSession session, String statusLine);

        /** One message of an {@code a[...]} frame: the text of its JSON string, escapes left as they are. */
        void message(XhrStreamSession session, byte[] bytes, int off, int len) throws IOException;

        /** A {@code c[code,"reason"]} frame: the server closed the session. */
        void closeFrame(XhrStreamSession session, String frame);

        /** The response ended (the server ends a stream after 128 KiB or a heart-beat): ask for the next. */
        void streamEnded(XhrStreamSession session) throws IOException;

        /** The server broke HTTP or SockJS; the session must go. */
        void violation(XhrStreamSession session, String why);
    }

    private final Sink sink;

    XhrStreamParser(Sink sink) {
        this.sink = sink;
    }

    /**
     * Parses {@code bytes[0, end)}: the session's carry in {@code [0, rawFrom)} followed by what was
     * just read. Keeps what is incomplete as the session's new carry.
     */
    void parse(XhrStreamSession session, byte[] bytes, int rawFrom, int end) throws IOException {
        int from;
        int lineStart;
        if (session.wire == Wire.HEAD) {
            int headEnd = Ascii.indexOf(bytes, 0, end, HEAD_END);
            if (headEnd < 0) {
                if (end > MAX_HEAD) {
                    sink.violation(session, "response head longer than " + MAX_HEAD + " bytes");
                } else {
                    session.keepCarry(bytes, 0, end);
                }
                return;
            }
            if (!head(session, bytes, headEnd)) {
                return;
            }
            sink.streamStarted(session);
            if (!session.isOpen()) {
                return;
            }
            from = headEnd + HEAD_END.length;
            lineStart = from;
        } else {
            from = rawFrom;
            lineStart = 0; // the carry: a frame's first part, already decoded
        }
        int decodedEnd = decode(session, bytes, from, end);
        if (decodedEnd < 0) {
            return;
        }
        // The carry holds no line end (else it would have been parsed): look for one after it only.
        int rest = frames(session, bytes, lineStart, from, decodedEnd);
        if (!session.isOpen()) {
            return;
        }
        if (session.wire == Wire.DONE) {
            if (rest < decodedEnd) {
                sink.violation(session, "response ended inside a SockJS frame");
                return;
            }
            session.carryLength = 0;
            sink.streamEnded(session);
            return;
        }
        session.keepCarry(bytes, rest, decodedEnd);
    }

    /** Reads the status line and the headers that say how the body is framed; false if it is not a 200 stream. */
    private boolean head(XhrStreamSession session, byte[] bytes, int headEnd) {
        // Once per response, not per message: a String is fine here.
        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
        int lineEnd = head.indexOf("\r\n");
        String status = lineEnd < 0 ? head : head.substring(0, lineEnd);
        if (!status.startsWith("HTTP/1.1 200")) {
            sink.refused(session, status);
            return false;
        }
        String lower = head.toLowerCase(Locale.ROOT);
        session.chunked = header(lower, "transfer-encoding").contains("chunked");
        session.closeAfterResponse = header(lower, "connection").contains("close");
        if (session.chunked) {
            session.wire = Wire.CHUNK_SIZE;
            session.size = 0;
            return true;
        }
        String length = header(lower, "content-length");
        if (length.isEmpty()) {
            sink.violation(session, "a streaming response neither chunked nor of a given length");
            return false;
        }
        session.remaining = Long.parseLong(length);
        session.wire = session.remaining == 0 ? Wire.DONE : Wire.IDENTITY;
        return true;
    }

    private static String header(String lowerCaseHead, String name) {
        int at = lowerCaseHead.indexOf("\r\n" + name + ":");
        if (at < 0) {
            return "";
        }
        int start = at + name.length() + 3;
        int end = lowerCaseHead.indexOf("\r\n", start);
        return lowerCaseHead.substring(start, end < 0 ? lowerCaseHead.length() : end).trim();
    }

    /**
     * Removes the body's framing from {@code bytes[from, end)} in place; returns where the decoded
     * bytes (starting at {@code from}) end, or -1 after a violation.
     */
    private int decode(XhrStreamSession session, byte[] bytes, int from, int end) {
        int in = from;
        int out = from;
        while (in < end && session.wire != Wire.DONE) {
            switch (session.wire) {
                case CHUNK_SIZE -> {
                    byte b = bytes[in++];
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        session.size = session.size * 16 + digit;
                        if (session.size > MAX_CHUNK) {
                            sink.violation(session, "chunk size over " + MAX_CHUNK);
                            return -1;
                        }
                    } else if (b == '\n') {
                        endOfSizeLine(session);
                    } else if (b == ';') {
                        session.wire = Wire.CHUNK_EXTENSION;
                    } else if (b != '\r' && b != ' ' && b != '\t') {
                        sink.violation(session, "bad chunk size line");
                        return -1;
                    }
                }
                case CHUNK_EXTENSION -> {
                    if (bytes[in++] == '\n') {
                        endOfSizeLine(session);
                    }
                }
                case CHUNK_DATA, IDENTITY -> {
                    int take = (int) Math.min(session.remaining, end - in);
                    System.arraycopy(bytes, in, bytes, out, take);
                    in += take;
                    out += take;
                    session.remaining -= take;
                    if (session.remaining == 0) {
                        session.wire = session.wire == Wire.CHUNK_DATA ? Wire.CHUNK_DATA_END : Wire.DONE;
                    }
                }
                case CHUNK_DATA_END -> {
                    byte b = bytes[in++];
                    if (b == '\n') {
                        session.wire = Wire.CHUNK_SIZE;
                    } else if (b != '\r') {
                        sink.violation(session, "chunk data longer than its size");
                        return -1;
                    }
                }
                case TRAILER -> {
                    byte b = bytes[in++];
                    if (b == '\n') {
                        if (session.trailerLineLength == 0) {
                            session.wire = Wire.DONE;
                        }
                        session.trailerLineLength = 0;
                    } else if (b != '\r') {
                        session.trailerLineLength++;
                    }
                }
                default -> throw new IllegalStateException("decoding in state " + session.wire);
            }
        }
        if (in < end) {
            // Nothing may follow: the next request goes out only once this response ended.
            sink.violation(session, (end - in) + " bytes after the end of a response");
            return -1;
        }
        return out;
    }

    private static void endOfSizeLine(XhrStreamSession session) {
        if (session.size == 0) {
            session.wire = Wire.TRAILER; // the last chunk
        } else {
            session.remaining = session.size;
            session.size = 0;
            session.wire = Wire.CHUNK_DATA;
        }
    }

    /**
     * Hands every complete line of {@code bytes[from, to)} on as a frame; there is no line end
     * before {@code searchFrom}. Returns where the incomplete rest begins.
     */
    private int frames(XhrStreamSession session, byte[] bytes, int from, int searchFrom, int to) throws IOException {
        int lineStart = from;
        int i = Math.max(from, searchFrom);
        while (session.isOpen()) {
            while (i < to && bytes[i] != '\n') {
                i++;
            }
            if (i == to) {
                return lineStart;
            }
            frame(session, bytes, lineStart, i);
            lineStart = ++i;
        }
        return lineStart;
    }

    private void frame(XhrStreamSession session, byte[] bytes, int from, int to) throws IOException {
        if (from == to) {
            return;
        }
        switch (bytes[from]) {
            case 'h', 'o' -> {
                // A heart-beat (or the prelude, 2,048 of them), and the session's open frame.
            }
            case 'a' -> messages(session, bytes, from + 1, to);
            case 'c' -> sink.closeFrame(session, new String(bytes, from, to - from, StandardCharsets.UTF_8));
            default -> sink.violation(session, "unknown SockJS frame: "
                    + new String(bytes, from, Math.min(to - from, 80), StandardCharsets.UTF_8));
        }
    }

    /** The strings of {@code [...]} in {@code bytes[from, to)}, each handed on with its escapes. */
    private void messages(XhrStreamSession session, byte[] bytes, int from, int to) throws IOException {
        if (from >= to || bytes[from] != '[') {
            sink.violation(session, "an a frame without its array");
            return;
        }
        int i = from + 1;
        while (i < to && session.isOpen()) {
            byte b = bytes[i];
            if (b == ']') {
                return;
            }
            if (b == ',') {
                i++;
                continue;
            }
            if (b != '"') {
                sink.violation(session, "an a frame holding something else than strings");
                return;
            }
            int start = ++i;
            while (i < to && bytes[i] != '"') {
                i += bytes[i] == '\\' ? 2 : 1; // an escaped quote does not end the string
            }
            if (i >= to) {
                sink.violation(session, "an unterminated string in an a frame");
                return;
            }
            sink.message(session, bytes, start, i - start);
            i++;
        }
    }
}
