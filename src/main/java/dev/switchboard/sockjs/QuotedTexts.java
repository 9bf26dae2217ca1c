package dev.switchboard.sockjs;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@link SockJsFrames#appendQuoted} remembered for the texts a fan-out sends to many sessions. A
 * topic message is encoded once and its one text queued for every recipient (docs/architecture.md,
 * Principles: the hot path); a SockJS session must still write it as a JSON string escaped the protocol's way, and
 * escaping a 175-character message costs about 0.6 µs, against 1.4 µs for a whole delivery over
 * WebSocket where writes are batched (the main suite's maximum) and 3-10 µs at 100-300 messages/s per
 * session (docs/benchmarks/sockjs.md). Quoted once per message rather than once per recipient, a
 * recipient's share is an append.
 *
 * <p>Direct-mapped: {@value #SLOTS} slots chosen by the text's hash. The recipients' drains send a
 * message within a short time of each other, but not all at once: with one server core saturated at
 * 125 publications/s to 1,000 sessions, a message's sends were spread over up to a second, so about
 * 125 messages were being sent at once, and 32 slots still missed most of the time (the escaping stayed
 * in the profile). Keyed by content (quoting is a pure function of the text), compared by identity
 * first, which is what a shared text hits. Texts over {@value #MAX_CACHED_CHARS} characters are quoted
 * each time, so what is held stays bounded: at most {@value #SLOTS} entries of at most that many
 * characters, and their quoted forms (about 1.2 MB for texts of that length that need little escaping).
 *
 * <p>Thread safe: a slot holds an immutable entry; two threads racing on one slot cost at most one
 * more quoting.
 */
public final class QuotedTexts {

    static final int SLOTS = 256;
    static final int MAX_CACHED_CHARS = 2048;

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
