package dev.switchboard.broker;

import java.time.Duration;

/**
 * How much of each topic is kept for resume: at most {@code size} messages and {@code maxBytes}
 * bytes (estimated by {@link MemoryBudget#sizeOf}), none older than {@code ttl}
 * (SWITCHBOARD_HISTORY_SIZE, SWITCHBOARD_HISTORY_MAX_BYTES, SWITCHBOARD_HISTORY_TTL_MS). A size of
 * 0 keeps nothing. A topic with no subscriber and no history left is forgotten once it has been
 * unused for {@code idleTopicTtl} (SWITCHBOARD_TOPIC_IDLE_MS); used again, it starts over in a new
 * epoch.
 */
public record HistoryPolicy(int size, Duration ttl, long maxBytes, Duration idleTopicTtl) {

    /** 16 MiB: see SWITCHBOARD_HISTORY_MAX_BYTES in docs/configuration.md. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TOPIC_TTL = Duration.ofMinutes(1);

    /** With the default byte bound and idle-topic time. */
    public HistoryPolicy(int size, Duration ttl) {
        this(size, ttl, DEFAULT_MAX_BYTES, DEFAULT_IDLE_TOPIC_TTL);
    }
}
