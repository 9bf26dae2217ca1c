package dev.switchboard.broker;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The revocations of a single node, in memory: lost when the process stops (README "Security").
 * Expired revocations are dropped at the next change. Thread safe: changes are serialised, checks
 * read an immutable snapshot.
 */
public final class InMemoryRevocationList implements RevocationList {

    private final Clock clock;
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    /** Replaced whole under {@code this}; read without a lock. */
    private volatile RevocationSet revocations = RevocationSet.EMPTY;

    public InMemoryRevocationList(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void add(Revocation revocation) {
        synchronized (this) {
            RevocationSet current = RevocationSet.of(revocations.activeAt(clock.instant()), clock.instant());
            if (current.size() >= MAX_ACTIVE && !current.contains(revocation.id())) {
                throw new IllegalStateException("at most " + MAX_ACTIVE + " revocations may count at once");
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
