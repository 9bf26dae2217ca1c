package dev.switchboard.broker;

import java.util.List;
import java.util.Set;

/**
 * Who is online across the deployment: the open sessions of each user, the users subscribed to
 * each topic, and the live nodes' figures. The broker reports this node's changes; the HTTP API's
 * admin queries and the routing of user pushes read it.
 *
 * <p>A single node uses {@link LocalPresence}, a view of its own registries; cluster mode keeps it
 * in Redis, where a node that vanished is left out once its heartbeat expires. Thread safe.
 */
public interface Presence {

    /** A session of this node opened. */
    void opened(SessionRecord session);

    /** A session of this node closed. */
    void closed(SessionRecord session);

    /** A session of this node subscribed to {@code topic} (once per session and topic). */
    void joined(String topic, String user);

    /** A session of this node left {@code topic}. */
    void left(String topic, String user);

    /** The user's open sessions on every live node, in no particular order. */
    List<SessionRecord> sessionsOf(String user);

    /** How many open sessions the user has on every live node. */
    default int sessionCount(String user) {
        return sessionsOf(user).size();
    }

    /** Distinct users subscribed to {@code topic} on every live node. */
    Set<String> usersOf(String topic);

    /**
     * Topics that may have subscribers on a live node, at most {@code limit} of them, in no
     * particular order. A topic whose last subscriber just left, or whose only subscribers were on
     * a node that died, may still be named: {@link #usersOf} is the count that holds.
     */
    List<String> topics(int limit);

    /** Publishes this node's figures and returns every live node's latest, this node's first. */
    List<NodeReport> nodes(NodeReport self);
}
