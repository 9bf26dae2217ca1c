package dev.switchboard.broker;

import java.util.List;
import java.util.Set;

/**
 * Which sessions are subscribed to which topic.
 *
 * <p>Thread safety: all methods may be called concurrently. {@link #subscribers} returns an
 * immutable snapshot that is safe to iterate while others subscribe and unsubscribe; it is the
 * fan-out loop's only lookup.
 */
public interface SubscriptionRegistry {

    /** Adds the session to the topic; returns false if it was already subscribed. */
    boolean subscribe(String topic, Subscriber session);

    /** Removes the session from the topic; returns false if it was not subscribed. */
    boolean unsubscribe(String topic, Subscriber session);

    /** Immutable snapshot of the topic's subscribers, empty if none. */
    List<Subscriber> subscribers(String topic);

    /** The topics with at least one subscriber: a snapshot, in no particular order. */
    Set<String> topics();

    /** Number of (topic, session) subscriptions in total. */
    int size();
}
