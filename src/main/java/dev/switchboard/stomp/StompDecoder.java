package dev.switchboard.stomp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns the bytes of one connection's consecutive WebSocket messages into STOMP frames (STOMP 1.2,
 * "STOMP Frames" and "Augmented BNF"; 1.1 and 1.0 differ only in header escaping).
 *
 * <p>A frame may span messages and one message may hold several frames and heart-beat EOLs; bytes of
 * an incomplete frame are kept until the next {@link #decode} call. Parsing is incremental: bytes
 * already searched for a LF or NUL are not searched again, so a frame arriving one byte per message
 * costs linear time, and no more than {@link StompLimits#maxFrameBytes()} of an unfinished frame is
 * ever buffered.
 *
 * <p>Every violation of the grammar or of the limits is reported as {@link Result#error()}, never
 * thrown. After an error the stream is unusable (STOMP has no way to resynchronise): every further
 * call returns the same error and no frames.
 *
 * <p>Not thread safe: one instance per connection, used by that connection's inbound thread.
 */
public final class StompDecoder {

    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte NUL = 0;
    private static final byte COLON = ':';
    private static final byte BACKSLASH = '\\';
    private static final byte[] NO_BYTES = new byte[0];
    private static final StompCommand[] COMMANDS = StompCommand.values();
    private static final byte[][] COMMAND_NAMES = new byte[COMMANDS.length][];
    /** An emptied buffer larger than this is released, so that idle connections hold little memory. */
    private static final int RETAINED_BUFFER_BYTES = 8 * 1024;
    private static final int PRINTED_BYTES = 40;

    static {
        for (StompCommand command : COMMANDS) {
            COMMAND_NAMES[command.ordinal()] = command.name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private enum Phase { BETWEEN_FRAMES, COMMAND, HEADERS, BODY }

    private final StompLimits limits;
    private StompVersion version = StompVersion.V1_2;

    /** Unconsumed input is buffer[start, end): the incomplete part of a frame (or a lone CR). */
    private byte[] buffer = NO_BYTES;
    private int start;
    private int end;

    private Phase phase = Phase.BETWEEN_FRAMES;
    /** Bytes after the read position that were already searched for the LF or NUL awaited. */
    private int scanned;
    /** Bytes of the current frame consumed so far (command line, header lines, blank line). */
    private int frameBytes;
    private StompCommand command;
    /** The version whose escaping applies to the current frame, or null when its headers are not escaped. */
    private StompVersion escaping;
    private StompHeaders.Builder headers;
    private int headerCount;
    /** The first content-length header's value, or null. */
    private String contentLength;
    /** The body length that content-length announced, or -1: read up to the first NUL. */
    private int bodyLength;

    /** Heart-beats seen in the current decode call. */
    private int heartbeats;
    private String error;
    private byte[] unescaped = NO_BYTES;
    private int unescapedLength;
    private CharsetDecoder utf8;

    public StompDecoder(StompLimits limits) {
        this.limits = Objects.requireNonNull(limits);
    }

    /**
     * The version whose escaping rules apply to the headers of frames other than CONNECT, STOMP and
     * CONNECTED (which are never unescaped). Until it is called the decoder applies 1.2 rules, the
     * superset: a frame that a 1.0 or 1.1 peer sent before negotiation finished only differs if its
     * headers hold backslashes. Takes effect from the next frame whose command line is not yet parsed.
     */
    public void version(StompVersion version) {
        this.version = Objects.requireNonNull(version);
    }

    /**
     * Appends one WebSocket message's bytes (a text message as UTF-8) to what is buffered and decodes
     * every complete frame. Consumes {@code bytes} entirely (its position moves to its limit); the
     * decoder does not keep a reference to it.
     *
     * @return the frames completed by these bytes in order, the heart-beat EOLs seen, and an error
     *     if the stream is unusable (the frames completed before the error are still returned)
     */
    public Result decode(ByteBuffer bytes) {
        Objects.requireNonNull(bytes);
        if (error != null) {
            bytes.position(bytes.limit());
            return new Result(List.of(), 0, error);
        }
        heartbeats = 0;
        List<StompFrame> frames = new ArrayList<>(2);
        byte[] in;
        int pos;
        int limit;
        boolean inBuffer = start != end || !bytes.hasArray();
        if (inBuffer) {
            append(bytes);
            in = buffer;
            pos = start;
            limit = end;
        } else {
            // Nothing pending: parse the caller's array in place and copy only an incomplete tail.
            in = bytes.array();
            pos = bytes.arrayOffset() + bytes.position();
            limit = bytes.arrayOffset() + bytes.limit();
            bytes.position(bytes.limit());
        }
        try {
            pos = parse(in, pos, limit, frames);
        } catch (Failure failure) {
            error = failure.getMessage();
            buffer = NO_BYTES;
            start = 0;
            end = 0;
            command = null;
            headers = null;
            return new Result(frames, heartbeats, error);
        }
        if (inBuffer) {
            start = pos;
        } else {
            start = 0;
            end = 0;
            append(in, pos, limit - pos);
        }
        if (start == end) {
            start = 0;
            end = 0;
            if (buffer.length > RETAINED_BUFFER_BYTES) {
                buffer = NO_BYTES;
            }
        }
        return new Result(frames, heartbeats, null);
    }

    private void append(ByteBuffer bytes) {
        int length = bytes.remaining();
        ensureRoom(length);
        bytes.get(buffer, end, length);
        end += length;
    }

    private void append(byte[] bytes, int from, int length) {
        if (length == 0) {
            return;
        }
        ensureRoom(length);
        System.arraycopy(bytes, from, buffer, end, length);
        end += length;
    }

    private void ensureRoom(int length) {
        if (buffer.length - end >= length) {
            return;
        }
        int live = end - start;
        if (buffer.length - live >= length && start > 0) {
            System.arraycopy(buffer, start, buffer, 0, live);
        } else {
            long wanted = Math.max(Math.max(256L, (long) buffer.length * 2), (long) live + length);
            byte[] grown = new byte[(int) Math.min(wanted, Integer.MAX_VALUE - 8)];
            System.arraycopy(buffer, start, grown, 0, live);
            buffer = grown;
        }
        start = 0;
        end = live;
    }

    /** Decodes what it can of in[pos, limit); returns the position of the first unconsumed byte. */
    private int parse(byte[] in, int pos, int limit, List<StompFrame> frames) {
        while (true) {
            switch (phase) {
                case BETWEEN_FRAMES -> {
                    // STOMP 1.2 "Heart-beating": an EOL outside a frame is a heart-beat; the grammar
                    // also allows EOLs after a frame's NUL, which are the same bytes on the wire.
                    if (pos == limit) {
                        return pos;
                    }
                    byte b = in[pos];
                    if (b == LF) {
                        heartbeats++;
                        pos++;
                    } else if (b == CR) {
                        if (pos + 1 == limit) {
                            return pos;
                        }
                        if (in[pos + 1] != LF) {
                            throw new Failure("unexpected CR between frames");
                        }
                        heartbeats++;
                        pos += 2;
                    } else {
                        phase = Phase.COMMAND;
                        frameBytes = 0;
                        scanned = 0;
                    }
                }
                case COMMAND -> {
                    int lf = lineEnd(in, pos, limit, "command line");
                    if (lf < 0) {
                        return pos;
                    }
                    command = command(in, pos, withoutCr(in, pos, lf));
                    // STOMP 1.2 "Value Encoding": CONNECT and CONNECTED frames do not escape; 1.0 has
                    // no escaping. Fixed per frame, so that version() never mixes rules in one frame.
                    escaping = version == StompVersion.V1_0 || !command.escapesHeaders() ? null : version;
                    pos = consumeLine(pos, lf);
                    headers = StompHeaders.builder();
                    headerCount = 0;
                    contentLength = null;
                    phase = Phase.HEADERS;
                }
                case HEADERS -> {
                    int lf = lineEnd(in, pos, limit, "header line");
                    if (lf < 0) {
                        return pos;
                    }
                    int lineEnd = withoutCr(in, pos, lf);
                    if (lineEnd == pos) {
                        pos = consumeLine(pos, lf);
                        bodyLength = contentLength == null ? -1 : parseContentLength(contentLength);
                        if (bodyLength >= 0 && (long) frameBytes + bodyLength + 1 > limits.maxFrameBytes()) {
                            throw tooLarge();
                        }
                        scanned = 0;
                        phase = Phase.BODY;
                    } else {
                        header(in, pos, lineEnd);
                        pos = consumeLine(pos, lf);
                    }
                }
                case BODY -> {
                    int bodyEnd;
                    if (bodyLength >= 0) {
                        // STOMP 1.2 "Header content-length": read exactly that many octets, whatever
                        // they are; the frame MUST still end with a NUL.
                        if (limit - pos <= bodyLength) {
                            return pos;
                        }
                        bodyEnd = pos + bodyLength;
                        if (in[bodyEnd] != NUL) {
                            throw new Failure("frame body is not followed by NUL after content-length "
                                    + bodyLength);
                        }
                    } else {
                        bodyEnd = indexOf(in, pos + scanned, limit, NUL);
                        if (bodyEnd < 0) {
                            scanned = limit - pos;
                            if ((long) frameBytes + scanned + 1 > limits.maxFrameBytes()) {
                                throw tooLarge();
                            }
                            return pos;
                        }
                        if ((long) frameBytes + (bodyEnd - pos) + 1 > limits.maxFrameBytes()) {
                            throw tooLarge();
                        }
                    }
                    byte[] body = bodyEnd == pos ? NO_BYTES : Arrays.copyOfRange(in, pos, bodyEnd);
                    frames.add(new StompFrame(command, headers.build(), body));
                    pos = bodyEnd + 1;
                    command = null;
                    headers = null;
                    contentLength = null;
                    scanned = 0;
                    phase = Phase.BETWEEN_FRAMES;
                }
            }
        }
    }

    /**
     * The index of the LF ending the line that starts at pos, or -1 when it has not arrived yet.
     * Checks the line and frame limits on what is buffered either way.
     */
    private int lineEnd(byte[] in, int pos, int limit, String what) {
        int lf = indexOf(in, pos + scanned, limit, LF);
        if (lf < 0) {
            scanned = limit - pos;
            int length = scanned > 0 && in[limit - 1] == CR ? scanned - 1 : scanned;
            if (length > limits.maxHeaderLineBytes()) {
                throw lineTooLong(what);
            }
            if ((long) frameBytes + scanned > limits.maxFrameBytes()) {
                throw tooLarge();
            }
            return -1;
        }
        if (withoutCr(in, pos, lf) - pos > limits.maxHeaderLineBytes()) {
            throw lineTooLong(what);
        }
        return lf;
    }

    private int consumeLine(int pos, int lf) {
        frameBytes += lf + 1 - pos;
        scanned = 0;
        if (frameBytes > limits.maxFrameBytes()) {
            throw tooLarge();
        }
        return lf + 1;
    }

    /**
     * STOMP 1.2 "Augmented BNF": EOL is an optional CR then LF. Accepted in every version, as Spring and
     * Netty do, because frames are decoded before the version is negotiated.
     */
    private static int withoutCr(byte[] in, int pos, int lf) {
        return lf > pos && in[lf - 1] == CR ? lf - 1 : lf;
    }

    private static int indexOf(byte[] in, int from, int limit, byte wanted) {
        for (int i = from; i < limit; i++) {
            if (in[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static StompCommand command(byte[] in, int from, int to) {
        int length = to - from;
        for (int i = 0; i < COMMANDS.length; i++) {
            byte[] name = COMMAND_NAMES[i];
            if (name.length == length && Arrays.equals(name, 0, length, in, from, to)) {
                return COMMANDS[i];
            }
        }
        throw new Failure("unknown command '" + printable(in, from, to) + "'");
    }

    private void header(byte[] in, int from, int to) {
        if (++headerCount > limits.maxHeaders()) {
            throw new Failure("frame has more than " + limits.maxHeaders() + " headers");
        }
        // The first colon separates name and value; later colons belong to the value.
        int colon = indexOf(in, from, to, COLON);
        if (colon < 0) {
            throw new Failure("malformed header line without ':' '" + printable(in, from, to) + "'");
        }
        if (colon == from) {
            throw new Failure("header line with an empty name '" + printable(in, from, to) + "'");
        }
        boolean unescape = escaping != null;
        String name = text(in, from, colon, unescape);
        String value = text(in, colon + 1, to, unescape);
        headers.add(name, value);
        if (contentLength == null && name.equals("content-length")) {
            contentLength = value; // "Repeated Header Entries": only the first occurrence counts
        }
    }

    private String text(byte[] in, int from, int to, boolean unescape) {
        boolean ascii = true;
        boolean escaped = false;
        for (int i = from; i < to; i++) {
            byte b = in[i];
            if (b < 0) {
                ascii = false;
            } else if (b == BACKSLASH) {
                escaped = true;
            }
        }
        byte[] source = in;
        int offset = from;
        int length = to - from;
        if (escaped && unescape) {
            source = unescapedCopy(in, from, to);
            offset = 0;
            length = unescapedLength;
        }
        if (ascii) {
            return new String(source, offset, length, StandardCharsets.ISO_8859_1);
        }
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input by default
        }
        try {
            CharBuffer chars = utf8.decode(ByteBuffer.wrap(source, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new Failure("header is not valid UTF-8");
        }
    }

    /** STOMP 1.2 "Value Encoding": \r \n \c \\ (1.1 lacks \r); anything else is a fatal error. */
    private byte[] unescapedCopy(byte[] in, int from, int to) {
        if (unescaped.length < to - from) {
            unescaped = new byte[Math.max(64, to - from)];
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = in[i];
            if (b != BACKSLASH) {
                unescaped[n++] = b;
                continue;
            }
            if (++i == to) {
                throw new Failure("header ends with an incomplete escape sequence");
            }
            byte next = in[i];
            switch (next) {
                case 'n' -> unescaped[n++] = LF;
                case 'c' -> unescaped[n++] = COLON;
                case BACKSLASH -> unescaped[n++] = BACKSLASH;
                case 'r' -> {
                    if (escaping != StompVersion.V1_2) {
                        throw undefinedEscape(in, i);
                    }
                    unescaped[n++] = CR;
                }
                default -> throw undefinedEscape(in, i);
            }
        }
        unescapedLength = n;
        return unescaped;
    }

    private Failure undefinedEscape(byte[] in, int at) {
        return new Failure("undefined escape sequence '\\" + printable(in, at, at + 1) + "' in a header of STOMP "
                + escaping.wire());
    }

    private static int parseContentLength(String text) {
        long value = 0;
        if (text.isEmpty()) {
            throw badContentLength(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw badContentLength(text);
            }
            value = value * 10 + (c - '0');
            if (value > Integer.MAX_VALUE) {
                throw badContentLength(text);
            }
        }
        return (int) value;
    }

    private static Failure badContentLength(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new Failure("invalid content-length '" + printable(bytes, 0, bytes.length) + "'");
    }

    private Failure tooLarge() {
        return new Failure("frame exceeds " + limits.maxFrameBytes() + " bytes");
    }

    private Failure lineTooLong(String what) {
        return new Failure(what + " exceeds " + limits.maxHeaderLineBytes() + " bytes");
    }

    /**
     * Peer bytes quoted in an error message: printable ASCII only and short, so that the message is a
     * safe header value for an ERROR frame in every STOMP version and never floods a log line.
     */
    private static String printable(byte[] in, int from, int to) {
        StringBuilder text = new StringBuilder(Math.min(to - from, PRINTED_BYTES) + 3);
        for (int i = from; i < to && i - from < PRINTED_BYTES; i++) {
            byte b = in[i];
            text.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        if (to - from > PRINTED_BYTES) {
            text.append("...");
        }
        return text.toString();
    }

    /**
     * What one {@link #decode} call produced.
     *
     * @param frames     complete frames in wire order (immutable, possibly empty)
     * @param heartbeats heart-beat EOLs ({@code \n} or {@code \r\n} outside a frame) seen
     * @param error      null, or why the stream is unusable: the session answers with an ERROR frame
     *                   carrying it as {@code message} and closes. Free of CR, LF and non-ASCII bytes
     */
    public record Result(List<StompFrame> frames, int heartbeats, String error) {
        public Result {
            frames = List.copyOf(frames);
        }
    }

    /** Unwinds the parser to {@link #decode}; carries no stack trace, it is not a bug. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }
}
