package dev.switchboard.broker;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link Presence} of a single node: a view of its session and subscription registries, which
 * already know everything, so reports of changes are ignored. Thread safe as the registries are.
 */
public final class LocalPresence implements Presence {

    private final SessionRegistry sessions;
    private final SubscriptionRegistry subscriptions;
    private final String nodeId;

    public LocalPresence(SessionRegistry sessions, SubscriptionRegistry subscriptions, String nodeId) {
        this.sessions = sessions;
        this.subscriptions = subscriptions;
        this.nodeId = nodeId;
    }

    @Override
    public void opened(SessionRecord session) {
        // Known to the session registry already.
    }

    @Override
    public void closed(SessionRecord session) {
        // Known to the session registry already.
    }

    @Override
    public void joined(String topic, String user) {
        // Known to the subscription registry already.
    }

    @Override
    public void left(String topic, String user) {
        // Known to the subscription registry already.
    }

    @Override
    public List<SessionRecord> sessionsOf(String user) {
        return sessions.ofUser(user).stream().map(session -> SessionRecord.of(session, nodeId)).toList();
    }

    @Override
    public int sessionCount(String user) {
        return sessions.ofUser(user).size();
    }

    @Override
    public List<String> topics(int limit) {
        return subscriptions.topics().stream().limit(limit).toList();
    }

    @Override
    public Set<String> usersOf(String topic) {
        Set<String> users = new HashSet<>();
        for (Subscriber session : subscriptions.subscribers(topic)) {
            users.add(session.user());
        }
        return users;
    }

    @Override
    public List<NodeReport> nodes(NodeReport self) {
        return List.of(self);
    }
}
