package dev.switchboard.session;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A text frame together with its length in UTF-8 bytes, which is what it costs on the wire and in
 * the container's buffers, and what the outbound bound counts. A delivery's frame is encoded once
 * and shared by every recipient's queue, so its length is computed once with it rather than once
 * per recipient, and so are its UTF-8 bytes ({@link #utf8()}) for a transport that can write them as
 * they are: the container would otherwise encode the same text once per recipient.
 *
 * <p>Immutable (the bytes are computed on first use and never change); equal when text and length
 * are. Thread-safe.
 */
public final class TextFrame {

    private final String text;
    private final int utf8Length;
    /**
     * {@code text} in UTF-8, encoded on first use: most frames are sent by the portable path, which
     * needs only the text. Two threads may both encode it; either result is the same bytes.
     */
    private volatile byte[] utf8;

    /**
     * @param text the frame as sent
     * @param utf8Length {@code text}'s UTF-8 length in bytes ({@link #utf8Length(String)})
     */
    public TextFrame(String text, int utf8Length) {
        this.text = Objects.requireNonNull(text);
        this.utf8Length = utf8Length;
    }

    /** {@code text} with its UTF-8 length computed. */
    public static TextFrame of(String text) {
        return new TextFrame(text, utf8Length(text));
    }

    /** The frame as sent. */
    public String text() {
        return text;
    }

    /** {@link #text()}'s UTF-8 length in bytes: what the outbound bound counts. */
    public int utf8Length() {
        return utf8Length;
    }

    /**
     * {@link #text()} in UTF-8, shared by every caller: never write to it. A lone surrogate becomes
     * {@code '?'}, as {@link String#getBytes} makes it.
     */
    public byte[] utf8() {
        byte[] bytes = utf8;
        if (bytes == null) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
            utf8 = bytes;
        }
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TextFrame frame && frame.utf8Length == utf8Length && frame.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + utf8Length;
    }

    @Override
    public String toString() {
        return "TextFrame[" + utf8Length + " bytes]";
    }

    /**
     * The number of bytes {@code text} takes in UTF-8: one per ASCII character, two below U+0800,
     * four per surrogate pair, three otherwise (a lone surrogate too: an upper bound of whatever the
     * container substitutes for it).
     */
    public static int utf8Length(String text) {
        return (int) Math.min(utf8Bytes(text), Integer.MAX_VALUE); // past any bound anyway
    }

    /** {@link #utf8Length} of any text, without a cap: for message parts still being joined. */
    public static long utf8Bytes(CharSequence text) {
        int length = text.length();
        long bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 2; // two chars, four bytes
                i++;
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }
}
