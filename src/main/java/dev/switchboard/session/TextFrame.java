package dev.switchboard.session;

/**
 * A text frame together with its length in UTF-8 bytes, which is what it costs on the wire and in
 * the container's buffers, and what the outbound bound counts. A delivery's frame is encoded once
 * and shared by every recipient's queue, so its length is computed once with it rather than once
 * per recipient.
 *
 * @param text the frame as sent
 * @param utf8Length {@code text}'s UTF-8 length in bytes ({@link #utf8Length(String)})
 */
public record TextFrame(String text, int utf8Length) {

    /** {@code text} with its UTF-8 length computed. */
    public static TextFrame of(String text) {
        return new TextFrame(text, utf8Length(text));
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
