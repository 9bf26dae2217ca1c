package dev.switchboard.broker;

import java.time.Duration;
import java.util.Optional;

/**
 * Connection tickets (docs/security.md, Connection tickets) by their random value: kept for a short time, taken
 * once. In memory on one node; in Redis in cluster mode, so that a ticket issued by one node is
 * taken on any. What a ticket carries is opaque here. Thread safe.
 */
public interface TicketStore {

    /**
     * Keeps {@code payload} under {@code ticket} for {@code ttl}.
     *
     * @return false if the store is full (too many unexpired tickets)
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    boolean put(String ticket, String payload, Duration ttl);

    /**
     * Takes the payload of {@code ticket} atomically: of two concurrent takes on any nodes, at most
     * one gets it. Empty if the ticket is unknown, already taken or expired.
     *
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    Optional<String> take(String ticket);

    /**
     * The payload of {@code ticket} without taking it: for a request that only asks whether a
     * handshake would pass (SockJS {@code /info}, a plain GET), which must not use the ticket up.
     *
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    Optional<String> peek(String ticket);
}
