package dev.switchboard.client;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.ServerFrame;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The topics a {@link SwitchboardClient} is subscribed to, the position delivered to the listener
 * in each (what a reconnect resumes from, see {@link TopicPositions}), and which subscriptions the
 * current connection has not had answered yet: the connection counts as established once none is
 * left.
 *
 * <p>Topics survive reconnects; the unanswered set belongs to one connection. Not thread safe:
 * event thread only.
 */
final class Subscriptions {

    /** In subscription order, which is also the order they are re-sent after a reconnect. */
    private final Set<String> topics = new LinkedHashSet<>();
    private final TopicPositions positions = new TopicPositions();
    /** Subscriptions of the current connection not answered yet; empty = established. */
    private final Set<String> unanswered = new HashSet<>();

    /** Adds {@code topic}; false if it was subscribed already (subscribing twice is one subscription). */
    boolean add(String topic) {
        return topics.add(topic);
    }

    /** Removes {@code topic} and forgets its position; false if it was not subscribed. */
    boolean remove(String topic) {
        if (!topics.remove(topic)) {
            return false;
        }
        positions.forget(topic);
        unanswered.remove(topic);
        return true;
    }

    boolean contains(String topic) {
        return topics.contains(topic);
    }

    /**
     * For a newly welcomed connection: every topic now waits for its answer. Returns the topics to
     * subscribe on it, in subscription order.
     */
    List<String> awaitAnswersForAll() {
        unanswered.clear();
        unanswered.addAll(topics);
        return List.copyOf(topics);
    }

    /** Whether every subscription of the current connection has been answered. */
    boolean allAnswered() {
        return unanswered.isEmpty();
    }

    /** The request for {@code topic}: resuming from the last position delivered, if any. */
    ClientFrame.Subscribe subscribeRequest(String topic) {
        TopicPositions.Position from = positions.resumeFrom(topic);
        ClientFrame.Since since = from == null ? null : new ClientFrame.Since(from.offset(), from.epoch());
        return new ClientFrame.Subscribe(topic, since);
    }

    /**
     * Records that {@code topic}'s subscription was answered (accepted or refused) and says whether
     * that answer was the last one outstanding.
     */
    boolean answered(String topic) {
        return unanswered.remove(topic) && unanswered.isEmpty();
    }

    /**
     * Records a {@code subscribed} answer's position and returns what could not be recovered, or
     * null (see {@link TopicPositions#subscribed}).
     */
    RecoveryFailure recordSubscribed(ServerFrame.Subscribed answer) {
        return positions.subscribed(answer.topic(), answer.offset(), answer.epoch(), answer.recovered());
    }

    /**
     * Whether a topic message is for the listener: its topic is subscribed and it is not a replay
     * of what the listener has seen. Records its position if so.
     */
    boolean acceptMessage(String topic, long offset, String epoch) {
        return topics.contains(topic) && positions.accept(topic, offset, epoch);
    }
}
