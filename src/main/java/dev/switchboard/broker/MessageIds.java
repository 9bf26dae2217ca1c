package dev.switchboard.broker;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids: a random per-process prefix plus a counter, so ids are unique across restarts and
 * nodes (with overwhelming probability) without a UUID's cost per message. Thread safe.
 */
public final class MessageIds {
    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    public MessageIds() {
        this(Long.toString(new SecureRandom().nextLong() >>> 16, 36));
    }

    MessageIds(String prefix) {
        this.prefix = prefix + "-";
    }

    public String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
