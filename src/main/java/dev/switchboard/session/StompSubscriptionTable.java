package dev.switchboard.session;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The subscriptions of one STOMP session, by subscription id and, for topic subscriptions, by
 * topic. Threads: changed only on the inbound thread (SUBSCRIBE, UNSUBSCRIBE); read by delivery
 * threads and ack timers. Both maps are concurrent and the per-topic lists copy-on-write, so
 * readers iterate without a lock and see each subscription either whole or not at all.
 */
final class StompSubscriptionTable {

    private final Map<String, StompSubscription> byId = new ConcurrentHashMap<>();
    private final Map<String, List<StompSubscription>> byTopic = new ConcurrentHashMap<>();

    /** Subscriptions held, of every kind (topics and user queues). */
    int size() {
        return byId.size();
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** The subscription {@code id}, or null. */
    StompSubscription get(String id) {
        return byId.get(id);
    }

    /** A live view of the subscription ids. */
    Set<String> ids() {
        return byId.keySet();
    }

    /** A live view of all subscriptions. */
    Iterable<StompSubscription> all() {
        return byId.values();
    }

    /** Registers a subscription under its id only (user queues, and topic ones before {@link #addToTopic}). */
    void add(StompSubscription subscription) {
        byId.put(subscription.id(), subscription);
    }

    /** Lists a topic subscription under its topic; true if it is the session's first on that topic. */
    boolean addToTopic(StompSubscription subscription) {
        boolean first = byTopic.computeIfAbsent(subscription.topic(), t -> new CopyOnWriteArrayList<>()).isEmpty();
        byTopic.get(subscription.topic()).add(subscription);
        return first;
    }

    /** Removes the subscription {@code id} from the id index; null if there is none. */
    StompSubscription remove(String id) {
        return byId.remove(id);
    }

    /** Unlists a topic subscription; true if it was the session's last on that topic. */
    boolean removeFromTopic(StompSubscription subscription) {
        List<StompSubscription> onTopic = byTopic.get(subscription.topic());
        onTopic.remove(subscription);
        if (onTopic.isEmpty()) {
            byTopic.remove(subscription.topic());
            return true;
        }
        return false;
    }

    /** The subscriptions on {@code topic}, safe to iterate while others change. */
    List<StompSubscription> onTopic(String topic) {
        return byTopic.getOrDefault(topic, List.of());
    }

    /** A snapshot of the topics subscribed to. */
    Set<String> topics() {
        return Set.copyOf(byTopic.keySet());
    }
}
