package dev.switchboard.broker;

import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where a topic's messages get their offsets and are kept for resume (docs/protocol.md, Resume, acks and heart-beats): the
 * in-memory log of one node ({@link InMemoryTopicLog}), or a log shared by every node of a cluster.
 *
 * <p>Offsets increase by exactly one per message within an epoch. The epoch is per topic and
 * changes when the log lost the topic's messages (a restart without durable history, a topic
 * forgotten while idle); offsets of different epochs are not comparable.
 *
 * <p>A shared log also announces every appended message to the nodes that follow the topic
 * ({@link ClusterBus#follow}), atomically with the append and in offset order; a node may still
 * see an announcement late or never (a lost connection), which is why the broker keeps its own
 * cursor per topic and reads what it missed back with {@link #read}.
 *
 * <p>Thread safety: every method may be called from any thread. The broker calls them while it
 * holds its lock on the topic, so an implementation must never call back into the broker.
 */
public interface TopicLog {

    /**
     * Appends {@code message} (a topic delivery without offset and epoch) and returns the position
     * it was given: the topic's next offset, in its current epoch (made if the topic had none).
     *
     * @throws ClusterUnavailableException if a shared log cannot be reached; nothing was appended
     *         (or, after a timeout, possibly was: a later read shows it)
     */
    StreamPosition append(String topic, Delivery message);

    /**
     * The topic's current position: its last offset (0 if nothing was published in this epoch)
     * and its epoch, made now if the topic has none.
     */
    StreamPosition position(String topic);

    /**
     * The messages after {@code from} up to and including offset {@code through}, oldest first,
     * with their offsets and epoch: an empty list if {@code from.offset() >= through}, and null if
     * the log no longer holds all of them, {@code from} is in another epoch than the topic's current
     * one, or lies beyond its last offset.
     */
    List<Delivery> read(String topic, StreamPosition from, long through);

    /**
     * Periodic housekeeping: drops expired history and forgets idle topics, except those for
     * which {@code inUse} is true (subscribed here). {@code inUse} must be asked while nothing can
     * position on the topic's stream (under its lock), or a topic made again between the question
     * and the forgetting would follow a stream that is gone. A shared log that expires by itself
     * does nothing.
     */
    default void sweep(Instant now, Predicate<String> inUse) {
    }

    /**
     * Frees this process's heap because the {@link MemoryBudget} is exceeded: drops the oldest
     * history across topics until the budget is under its low-water mark. Returns how many
     * messages were dropped. A log kept outside the heap frees nothing.
     */
    default long shed() {
        return 0;
    }

    /** How many topics this process keeps state for (the {@code switchboard_topics} metric). */
    int topicCount();
}
