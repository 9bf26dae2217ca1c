package dev.switchboard.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open sessions per key (a user or a client address) on this node, up to a limit: a slot is taken
 * atomically at the handshake and given back when the session ends, so that N simultaneous
 * handshakes cannot all pass a count that none of them has yet raised. A key's entry is removed
 * when its count returns to zero: the map holds only keys with open sessions. A limit of 0 or
 * less turns counting off. Thread safe.
 */
public final class SessionCounter {

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final int limit;

    public SessionCounter(int limit) {
        this.limit = limit;
    }

    /** Whether a limit applies at all. */
    public boolean enabled() {
        return limit > 0;
    }

    /** The most sessions one key may hold. */
    public int limit() {
        return limit;
    }

    /** Takes a slot for {@code key}; false (and nothing taken) if it holds {@link #limit()} already. */
    public boolean tryAcquire(String key) {
        if (!enabled()) {
            return true;
        }
        boolean[] taken = new boolean[1];
        open.compute(key, (k, count) -> {
            int current = count == null ? 0 : count;
            if (current >= limit) {
                return count;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    /** Gives back a slot taken for {@code key}. */
    public void release(String key) {
        if (enabled()) {
            open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** Sessions counted for {@code key} now. */
    public int count(String key) {
        return open.getOrDefault(key, 0);
    }

    /** Keys with open sessions: the map's size, which tests bound. */
    public int keys() {
        return open.size();
    }
}
