package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Presence} promises, run against each implementation: the single node's view of
 * its registries ({@link LocalPresenceTest}) and the one on Redis (RedisPresenceTest). Sessions are
 * opened, subscribed and closed through hooks, because {@link LocalPresence} learns them from the
 * registries and a Redis presence from the broker's reports.
 */
public abstract class PresenceContract {

    /** The presence under test, of node {@link #nodeId()}, empty at the start of each test. */
    protected abstract Presence presence();

    protected abstract String nodeId();

    /** Opens a session on this node as the broker would; returns its record as the presence reports it. */
    protected abstract SessionRecord open(String sessionId, String user, String channelId);

    /** Closes a session that {@link #open} opened, as the broker would. */
    protected abstract void close(SessionRecord session);

    /** Subscribes an open session to {@code topic}, as the broker would. */
    protected abstract void join(String topic, SessionRecord session);

    /** Unsubscribes an open session from {@code topic}, as the broker would. */
    protected abstract void leave(String topic, SessionRecord session);

    @Test
    void sessionsOfAUserAppearWhenOpenedAndDisappearWhenClosed() {
        SessionRecord phone = open("s1", "alice", null);
        SessionRecord laptop = open("s2", "alice", "agent-7");
        open("s3", "bob", null);

        assertThat(presence().sessionsOf("alice")).containsExactlyInAnyOrder(phone, laptop);

        close(phone);

        assertThat(presence().sessionsOf("alice")).containsExactly(laptop);
        close(laptop);
        assertThat(presence().sessionsOf("alice")).isEmpty();
    }

    @Test
    void sessionCountCountsTheUsersOpenSessions() {
        open("s1", "alice", null);
        SessionRecord second = open("s2", "alice", null);

        assertThat(presence().sessionCount("alice")).isEqualTo(2);
        assertThat(presence().sessionCount("nobody")).isZero();
        close(second);
        assertThat(presence().sessionCount("alice")).isEqualTo(1);
    }

    @Test
    void usersOfATopicAreDistinctAcrossSessions() {
        SessionRecord phone = open("s1", "alice", null);
        SessionRecord laptop = open("s2", "alice", null);
        SessionRecord bob = open("s3", "bob", null);
        join("news", phone);
        join("news", laptop);
        join("news", bob);
        join("sport", bob);

        assertThat(presence().usersOf("news")).containsExactlyInAnyOrder("alice", "bob");

        leave("news", phone);
        assertThat(presence().usersOf("news")).containsExactlyInAnyOrder("alice", "bob");
        leave("news", laptop);
        assertThat(presence().usersOf("news")).containsExactly("bob");
        assertThat(presence().usersOf("sport")).containsExactly("bob");
        assertThat(presence().usersOf("weather")).isEmpty();
    }

    @Test
    void topicsNameTheFollowedTopicsUpToTheLimit() {
        SessionRecord alice = open("s1", "alice", null);
        join("news", alice);
        join("sport", alice);
        join("odd {name}", alice);

        assertThat(presence().topics(10)).containsExactlyInAnyOrder("news", "sport", "odd {name}");
        assertThat(presence().topics(2)).hasSize(2).isSubsetOf("news", "sport", "odd {name}");
    }

    @Test
    void nodesListsThisNodesReportFirst() {
        NodeReport self = new NodeReport(nodeId(), Map.of("sessions", 3L));

        assertThat(presence().nodes(self)).first().isEqualTo(self);
    }
}
