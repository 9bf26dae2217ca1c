package dev.switchboard.broker;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The revocations of a single node, in memory: lost when the process stops (docs/security.md, Revocation).
 * Expired revocations are dropped at the next change. Thread safe: changes are serialised, checks
 * read an immutable snapshot.
 */
public final class InMemoryRevocationList implements RevocationList {

    private final Clock clock;
    private final int capacity;
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    /** Replaced whole under {@code this}; read without a lock. */
    private volatile RevocationSet revocations = RevocationSet.EMPTY;

    public InMemoryRevocationList(Clock clock) {
        this(clock, MAX_ACTIVE);
    }

    /** A list that refuses more than {@code capacity} revocations at once. */
    public InMemoryRevocationList(Clock clock, int capacity) {
        this.clock = clock;
        this.capacity = capacity;
    }

    @Override
    public void add(Revocation revocation) {
        synchronized (this) {
            RevocationSet current = revocations;
            if (current.size() >= capacity && !current.contains(revocation.id())) {
                // Perhaps only full of expired ones: rebuilding drops those.
                current = RevocationSet.of(current.activeAt(clock.instant()), clock.instant());
                if (current.size() >= capacity) {
                    throw new IllegalStateException("at most " + capacity + " revocations may count at once");
                }
            }
            revocations = current.with(revocation, clock.instant());
        }
        listeners.forEach(listener -> listener.accept(revocation));
    }

    @Override
    public synchronized boolean remove(String id) {
        boolean present = revocations.contains(id) && revocations.activeAt(clock.instant()).stream()
                .anyMatch(r -> r.id().equals(id));
        revocations = revocations.without(id, clock.instant());
        return present;
    }

    @Override
    public List<Revocation> active() {
        return revocations.activeAt(clock.instant());
    }

    @Override
    public boolean isRevoked(String user, String tokenId) {
        return revocations.revokes(user, tokenId, clock.instant());
    }

    @Override
    public void onRevoked(Consumer<Revocation> listener) {
        listeners.add(listener);
    }
}
