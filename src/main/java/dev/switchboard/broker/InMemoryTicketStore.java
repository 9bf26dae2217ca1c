package dev.switchboard.broker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tickets of a single node, in memory, at most {@code capacity} at once. Expired tickets are
 * swept every {@link #SWEEP_EVERY} puts and whenever the store looks full, so a flood of unused
 * tickets holds at most {@code capacity} entries and each for at most its time to live plus one
 * sweep. Thread safe.
 */
public final class InMemoryTicketStore implements TicketStore {

    static final int SWEEP_EVERY = 1024;

    private record Entry(String payload, Instant expiresAt) {
    }

    private final Clock clock;
    private final int capacity;
    private final ConcurrentHashMap<String, Entry> tickets = new ConcurrentHashMap<>();
    private final AtomicInteger puts = new AtomicInteger();

    public InMemoryTicketStore(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        this.clock = clock;
        this.capacity = capacity;
    }

    @Override
    public boolean put(String ticket, String payload, Duration ttl) {
        if (puts.incrementAndGet() % SWEEP_EVERY == 0 || tickets.size() >= capacity) {
            sweep();
        }
        if (tickets.size() >= capacity) {
            return false;
        }
        tickets.put(ticket, new Entry(payload, clock.instant().plus(ttl)));
        return true;
    }

    @Override
    public Optional<String> take(String ticket) {
        Entry entry = tickets.remove(ticket);
        if (entry == null || !clock.instant().isBefore(entry.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(entry.payload());
    }

    @Override
    public Optional<String> peek(String ticket) {
        Entry entry = tickets.get(ticket);
        if (entry == null || !clock.instant().isBefore(entry.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(entry.payload());
    }

    /** How many tickets are held, expired ones included until the next sweep. */
    int size() {
        return tickets.size();
    }

    private void sweep() {
        Instant now = clock.instant();
        tickets.values().removeIf(entry -> !now.isBefore(entry.expiresAt()));
    }
}
