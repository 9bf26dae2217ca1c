package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.NodeReport;
import dev.switchboard.broker.Presence;
import dev.switchboard.broker.PresenceContract;
import dev.switchboard.broker.SessionRecord;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The presence contract on Redis, plus two nodes seeing each other and leaving out dead ones. */
class RedisPresenceTest extends PresenceContract {

    private static final String NODE_A = "node-a";
    private static final String NODE_B = "node-b";
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Jsonb JSONB = JsonbBuilder.create();

    private static RedisServer server;
    private static RedisConnections connectionsA;
    private static RedisConnections connectionsB;

    private RedisPresence presenceA;
    private RedisPresence presenceB;

    @BeforeAll
    static void connect() {
        server = RedisServer.shared();
        connectionsA = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
        connectionsB = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void disconnect() throws Exception {
        connectionsA.close();
        connectionsB.close();
        JSONB.close();
    }

    @BeforeEach
    void freshNodes() {
        server.flushAll();
        server.call("SET", RedisKeys.nodeAlive(NODE_A), "incarnation-a");
        server.call("SET", RedisKeys.nodeAlive(NODE_B), "incarnation-b");
        presenceA = new RedisPresence(connectionsA, NODE_A, JSONB, LEASE);
        presenceB = new RedisPresence(connectionsB, NODE_B, JSONB, LEASE);
    }

    @AfterEach
    void stopNodes() {
        presenceA.close();
        presenceB.close();
    }

    @Override
    protected Presence presence() {
        return presenceA;
    }

    @Override
    protected String nodeId() {
        return NODE_A;
    }

    @Override
    protected SessionRecord open(String sessionId, String user, String channelId) {
        return open(presenceA, NODE_A, sessionId, user, channelId);
    }

    private static SessionRecord open(RedisPresence presence, String node, String sessionId, String user, String channelId) {
        SessionRecord record = new SessionRecord(sessionId, user, channelId, "native", node,
                Instant.parse("2026-01-02T03:04:05.678Z"));
        presence.opened(record);
        return record;
    }

    @Override
    protected void close(SessionRecord session) {
        presenceA.closed(session);
    }

    @Override
    protected void join(String topic, SessionRecord session) {
        presenceA.joined(topic, session.user());
    }

    @Override
    protected void leave(String topic, SessionRecord session) {
        presenceA.left(topic, session.user());
    }

    @Test
    void twoNodesSeeEachOthersSessionsTopicsAndReports() {
        SessionRecord onA = open(presenceA, NODE_A, "s1", "alice", null);
        SessionRecord onB = open(presenceB, NODE_B, "s2", "alice", "agent-7");
        presenceA.joined("news", "alice");
        presenceB.joined("news", "bob");
        NodeReport reportA = new NodeReport(NODE_A, figures("sessions", 1L, "subscriptions", 1L));
        NodeReport reportB = new NodeReport(NODE_B, figures("sessions", 1L, "subscriptions", 1L));
        presenceB.nodes(reportB);

        assertThat(presenceB.sessionsOf("alice")).containsExactlyInAnyOrder(onA, onB);
        assertThat(presenceA.sessionCount("alice")).isEqualTo(2);
        assertThat(presenceA.usersOf("news")).containsExactlyInAnyOrder("alice", "bob");
        assertThat(presenceA.nodes(reportA)).containsExactly(reportA, reportB);
        assertThat(presenceB.nodes(reportB)).containsExactly(reportB, reportA);
        // In the order they were given, for GET /api/v1/stats.
        assertThat(presenceB.nodes(reportB).get(1).figures().keySet()).containsExactly("sessions", "subscriptions");
    }

    @Test
    void aNodeWhoseHeartbeatIsGoneDropsOutAndIsPruned() {
        SessionRecord onA = open(presenceA, NODE_A, "s1", "alice", null);
        open(presenceB, NODE_B, "s2", "alice", null);
        presenceA.joined("news", "alice");
        presenceB.joined("news", "bob");
        NodeReport reportA = new NodeReport(NODE_A, Map.of());
        presenceB.nodes(new NodeReport(NODE_B, Map.of()));

        server.call("DEL", RedisKeys.nodeAlive(NODE_B));

        assertThat(presenceA.sessionsOf("alice")).containsExactly(onA);
        assertThat(presenceA.sessionCount("alice")).isEqualTo(1);
        assertThat(presenceA.usersOf("news")).containsExactly("alice");
        assertThat(presenceA.nodes(reportA)).containsExactly(reportA);
        assertThat(server.call("HLEN", RedisKeys.userSessions("alice"))).isEqualTo("1");
        assertThat(server.call("HLEN", RedisKeys.topicPresence("news"))).isEqualTo("1");
        assertThat(server.call("SCARD", RedisKeys.NODES)).isEqualTo("1");
    }

    @Test
    void entriesOfAnEarlierIncarnationDropOutUntilResyncWritesThemAgain() {
        SessionRecord onA = open(presenceA, NODE_A, "s1", "alice", null);
        presenceA.joined("news", "alice");

        // node-a lost its lease and regained it: a new incarnation.
        server.call("SET", RedisKeys.nodeAlive(NODE_A), "incarnation-a2");
        assertThat(presenceB.sessionsOf("alice")).isEmpty();
        assertThat(presenceB.usersOf("news")).isEmpty();

        presenceA.resync();

        assertThat(presenceB.sessionsOf("alice")).containsExactly(onA);
        assertThat(presenceB.usersOf("news")).containsExactly("alice");
    }

    @Test
    void everyKeyANodeWritesExpires() {
        open(presenceA, NODE_A, "s1", "alice", null);
        presenceA.joined("news", "alice");
        presenceA.nodes(new NodeReport(NODE_A, Map.of()));

        assertThat(Long.parseLong(server.call("PTTL", RedisKeys.userSessions("alice"))))
                .isBetween(1L, RedisPresence.DEFAULT_KEY_TTL.toMillis());
        assertThat(Long.parseLong(server.call("PTTL", RedisKeys.topicPresence("news"))))
                .isBetween(1L, RedisPresence.DEFAULT_KEY_TTL.toMillis());
        assertThat(Long.parseLong(server.call("PTTL", RedisKeys.nodeReport(NODE_A))))
                .isBetween(1L, LEASE.multipliedBy(3).toMillis());
    }

    @Test
    void keysLeftOnlyByACrashedNodeExpireWhileALiveNodesAreRenewed() {
        try (RedisPresence shortLived = new RedisPresence(connectionsB, NODE_B, JSONB, LEASE, Duration.ofMillis(600))) {
            open(shortLived, NODE_B, "s-crashed", "carol", null);
            open(presenceA, NODE_A, "s-live", "dave", null);
            RedisPresence renewing = new RedisPresence(connectionsA, NODE_A, JSONB, LEASE, Duration.ofMillis(600));
            try {
                open(renewing, NODE_A, "s-live2", "erin", null);
                shortLived.close(); // as if node-b crashed: nobody renews carol's key

                await().atMost(Duration.ofSeconds(5)).until(() -> "0".equals(server.call("EXISTS", RedisKeys.userSessions("carol"))));
                await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
                        .until(() -> "1".equals(server.call("EXISTS", RedisKeys.userSessions("erin"))));
            } finally {
                renewing.close();
            }
        }
    }

    @Test
    void writesDuringAnOutageDoNotThrowAndResyncRepairsThem() {
        try (RedisServer own = RedisServer.startOwn();
                RedisConnections connections = new RedisConnections(own.uri(), Duration.ofSeconds(1));
                RedisPresence presence = new RedisPresence(connections, NODE_A, JSONB, LEASE)) {
            own.call("SET", RedisKeys.nodeAlive(NODE_A), "incarnation-a");
            SessionRecord gone = open(presence, NODE_A, "s1", "alice", null);
            own.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> !connections.isConnected());

            SessionRecord opened = open(presence, NODE_A, "s2", "alice", null);
            presence.closed(gone);
            presence.joined("news", "alice");
            assertThatThrownBy(() -> presence.sessionsOf("alice")).isInstanceOf(ClusterUnavailableException.class);

            own.restart(); // no persistence: Redis comes back empty, as after a failover to a fresh replica
            own.call("SET", RedisKeys.nodeAlive(NODE_A), "incarnation-a");
            await().atMost(Duration.ofSeconds(10)).until(connections::isConnected);
            presence.resync();

            assertThat(presence.sessionsOf("alice")).containsExactly(opened);
            assertThat(presence.usersOf("news")).containsExactly("alice");
        }
    }

    private static Map<String, Long> figures(String k1, long v1, String k2, long v2) {
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put(k1, v1);
        figures.put(k2, v2);
        return figures;
    }
}
