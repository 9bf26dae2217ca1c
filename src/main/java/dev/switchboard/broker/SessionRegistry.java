package dev.switchboard.broker;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Every open session of this node, by id and by user (a user may hold many sessions, on
 * different channels and protocols). Thread safe; lookups return immutable snapshots.
 */
public interface SessionRegistry {

    void add(Subscriber session);

    /** Removes the session; false if it was not registered. */
    boolean remove(Subscriber session);

    Optional<Subscriber> find(String sessionId);

    /** Snapshot of the user's open sessions, empty if none. */
    List<Subscriber> ofUser(String user);

    /** Snapshot of all open sessions. */
    Collection<Subscriber> all();

    int size();
}
