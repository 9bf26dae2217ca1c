package dev.switchboard.broker;

import dev.switchboard.events.SessionClosed;
import dev.switchboard.events.SessionOpened;
import dev.switchboard.events.Subscribed;
import dev.switchboard.events.TopicOccupied;
import dev.switchboard.events.TopicVacated;
import dev.switchboard.events.Unsubscribed;
import dev.switchboard.events.UserOffline;
import dev.switchboard.events.UserOnline;
import java.time.Clock;
import java.util.Objects;

/**
 * The one place that turns the broker's session and subscription changes into
 * {@link dev.switchboard.events.SwitchboardEvent}s: a session's opening and closing, a user's first
 * and last session, a session's subscriptions, a topic's first and last subscriber. The broker
 * calls it once per change (after registering, after forgetting); it only counts and queues, so it
 * never holds a delivery up. Thread safe.
 *
 * <p>Users and topics are counted by {@code users} and {@code topics}: per node for a single node;
 * in cluster mode the counts that decide online and offline must be the deployment's.
 */
public final class SessionEvents {

    /**
     * Publishes and counts nothing: for brokers built without events (tests, tools). Stateless: it
     * is shared by every such broker, so it must not count (a shared count would mix brokers).
     */
    public static final SessionEvents NONE = new SessionEvents(EventSink.NONE, Occupancy.NONE, Occupancy.NONE,
            "none", Clock.systemUTC());

    private final EventSink sink;
    private final Occupancy users;
    private final Occupancy topics;
    private final String nodeId;
    private final Clock clock;

    public SessionEvents(EventSink sink, Occupancy users, Occupancy topics, String nodeId, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.users = Objects.requireNonNull(users, "users");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A session of this node was registered. */
    void opened(Subscriber session) {
        sink.publish(new SessionOpened(session.sessionId(), session.user(), session.channelId(), session.protocol(),
                nodeId, clock.instant()));
        users.enter(session.user(), () -> sink.publish(new UserOnline(session.user(), nodeId, clock.instant())));
    }

    /** A session of this node that {@link #opened} was forgotten; {@code code} is how it closed. */
    void closed(Subscriber session, CloseCode code) {
        sink.publish(new SessionClosed(session.sessionId(), session.user(), session.channelId(), session.protocol(),
                nodeId, session.openedAt(), clock.instant(), code.code(), code.reason()));
        users.leave(session.user(), () -> sink.publish(new UserOffline(session.user(), nodeId, clock.instant())));
    }

    /** A session of this node subscribed to {@code topic}. */
    void subscribed(String topic, Subscriber session) {
        topics.enter(topic, () -> sink.publish(new TopicOccupied(topic, nodeId, clock.instant())));
        sink.publish(new Subscribed(topic, session.sessionId(), session.user(), nodeId, clock.instant()));
    }

    /**
     * The users and topics whose every session was on nodes that died without closing them: each
     * reported {@link UserOffline} or {@link TopicVacated} once across the deployment, by whichever
     * node reaps it first (so the event's node is the reporter, not the dead node). Nothing on a
     * single node, whose counts die with it.
     */
    void reapDepartedNodes() {
        users.reapDeparted(user -> sink.publish(new UserOffline(user, nodeId, clock.instant())));
        topics.reapDeparted(topic -> sink.publish(new TopicVacated(topic, nodeId, clock.instant())));
    }

    /** A session of this node left {@code topic}. */
    void unsubscribed(String topic, Subscriber session) {
        sink.publish(new Unsubscribed(topic, session.sessionId(), session.user(), nodeId, clock.instant()));
        topics.leave(topic, () -> sink.publish(new TopicVacated(topic, nodeId, clock.instant())));
    }
}
