package dev.switchboard.broker;

import java.util.List;
import java.util.function.Consumer;

/**
 * The revocations in force across the deployment (docs/security.md, Revocation). One node keeps them in
 * memory (lost on restart); in cluster mode they are in Redis (they survive restarts) and each
 * node keeps a copy that every change is announced to.
 *
 * <p>{@link #isRevoked} is on every token's path: it reads this node's copy, never the network,
 * and never blocks. A change made on another node reaches this node's copy within the pub/sub
 * latency (and at the latest at the next periodic reload). Thread safe.
 */
public interface RevocationList extends AutoCloseable {

    /** By default, at most this many revocations count at once; more are refused. */
    int MAX_ACTIVE = 100_000;

    /**
     * Stores {@code revocation} and announces it to every node, whose {@linkplain #onRevoked
     * listeners} (this node's included) then close the sessions it covers.
     *
     * @throws IllegalStateException if the list is full (by default {@link #MAX_ACTIVE} revocations count)
     * @throws ClusterUnavailableException if the cluster cannot be reached (nothing was stored)
     */
    void add(Revocation revocation);

    /**
     * Lifts revocation {@code id} on every node.
     *
     * @return false if no such revocation counts
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    boolean remove(String id);

    /** The revocations that count now, soonest to end first (this node's copy). */
    List<Revocation> active();

    /** Whether a token of {@code user} with id {@code tokenId} (null if it has none) is revoked now. */
    boolean isRevoked(String user, String tokenId);

    /**
     * Calls {@code listener} for every revocation made from now on, on any node. Called on the
     * adding thread or on a thread of the list's own, never while holding a lock of the list; it
     * must not block.
     */
    void onRevoked(Consumer<Revocation> listener);

    @Override
    default void close() {
    }
}
