package dev.switchboard.sockjs;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@link SockJsFrames#appendQuoted} remembered for the texts a fan-out sends to many sessions. A
 * topic message is encoded once and its one text queued for every recipient (DESIGN.md, "The hot
 * path"); a SockJS session must still write it as a JSON string escaped the protocol's way, and
 * escaping a 175-character message costs about 0.6 µs, a good third of what a whole delivery over
 * WebSocket costs the server (1.4 µs at 730k deliveries per CPU-second). Quoted once per message
 * rather than once per recipient, a recipient's share is an append.
 *
 * <p>Direct-mapped: {@value #SLOTS} slots chosen by the text's hash, since the recipients' drains
 * send a message at about the same time and only a few messages are in flight at once. Keyed by
 * content (quoting is a pure function of the text), compared by identity first, which is what a
 * shared text hits. Texts over {@value #MAX_CACHED_CHARS} characters are quoted each time: they are
 * rare and would hold memory. So at most {@value #SLOTS} entries are ever held.
 *
 * <p>Thread safe: a slot holds an immutable entry; two threads racing on one slot cost at most one
 * more quoting.
 */
public final class QuotedTexts {

    static final int SLOTS = 32;
    static final int MAX_CACHED_CHARS = 8192;

    private record Entry(String text, String quoted) {
    }

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    /** Appends {@code text} as a JSON string, quotes included, escaped as the protocol asks. */
    public void appendQuoted(StringBuilder out, String text) {
        out.append(quoted(text));
    }

    /** {@code text} quoted as {@link SockJsFrames#quoted}; the same instance while it stays remembered. */
    String quoted(String text) {
        if (text.length() > MAX_CACHED_CHARS) {
            return SockJsFrames.quoted(text);
        }
        int slot = text.hashCode() & (SLOTS - 1); // String caches its hash: computed once per shared text
        Entry entry = slots.get(slot);
        if (entry != null && text.equals(entry.text())) {
            return entry.quoted();
        }
        String quoted = SockJsFrames.quoted(text);
        slots.set(slot, new Entry(text, quoted));
        return quoted;
    }
}
