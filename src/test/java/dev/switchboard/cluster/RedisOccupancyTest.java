package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Online and offline across two nodes on one Redis: each crossing reported once, by the node that made it. */
class RedisOccupancyTest {

    private static RedisServer server;
    private static RedisConnections connections;

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private RedisOccupancy nodeA;
    private RedisOccupancy nodeB;

    @BeforeAll
    static void connect() {
        server = RedisServer.shared();
        connections = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void disconnect() {
        connections.close();
    }

    @BeforeEach
    void twoLiveNodes() {
        server.flushAll();
        server.call("SET", RedisKeys.nodeAlive("node-a"), "incarnation-a");
        server.call("SET", RedisKeys.nodeAlive("node-b"), "incarnation-b");
        nodeA = new RedisOccupancy(connections, "user", "node-a", Duration.ofHours(1));
        nodeB = new RedisOccupancy(connections, "user", "node-b", Duration.ofHours(1));
    }

    @AfterEach
    void stopNodes() {
        nodeA.close();
        nodeB.close();
    }

    private Runnable report(String what) {
        return () -> reports.add(what);
    }

    @Test
    void hundredThousandUsersOnlineThenOfflineLeaveNoKeyInRedisAndNoShareToRenew() {
        for (int i = 0; i < 100_000; i++) {
            nodeA.enter("user-" + i, report("online"));
        }
        // The two heartbeats and the writers' set besides the users.
        assertThat(server.call("DBSIZE")).isEqualTo(Integer.toString(3 + 100_000));
        for (int i = 0; i < 100_000; i++) {
            nodeA.leave("user-" + i, report("offline"));
        }

        assertThat(reports.stream().filter("online"::equals).count()).isEqualTo(100_000);
        assertThat(reports.stream().filter("offline"::equals).count()).isEqualTo(100_000);
        assertThat(server.call("DBSIZE")).as("only the two heartbeats and the writers' set left").isEqualTo("3");
        nodeA.resync(); // would write back any share this node still kept
        assertThat(server.call("DBSIZE")).isEqualTo("3");
    }

    @Test
    void aUserWithTabsOnTwoNodesIsOnlineOnceAndOfflineOnce() {
        nodeA.enter("alice", report("online by a"));
        nodeB.enter("alice", report("online by b"));
        nodeA.enter("alice", report("online by a"));
        nodeA.leave("alice", report("offline by a"));
        nodeA.leave("alice", report("offline by a"));
        assertThat(reports).containsExactly("online by a");
        nodeB.leave("alice", report("offline by b"));
        assertThat(reports).containsExactly("online by a", "offline by b");
        nodeB.enter("alice", report("online by b"));
        assertThat(reports).containsExactly("online by a", "offline by b", "online by b");
    }

    @Test
    void usersAreCountedApart() {
        nodeA.enter("alice", report("alice online"));
        nodeB.enter("bob", report("bob online"));
        nodeA.leave("alice", report("alice offline"));
        assertThat(reports).containsExactly("alice online", "bob online", "alice offline");
    }

    @Test
    void aUserOnADeadNodeIsNotReportedOnlineAgainWhenATabOpensElsewhereAndGoesOfflineWithItsLastLiveTab() {
        nodeA.enter("alice", report("online by a"));
        server.call("DEL", RedisKeys.nodeAlive("node-a")); // node-a's heartbeat expired: it died
        nodeB.enter("alice", report("online by b"));
        assertThat(reports).as("online since node-a reported it, never reported offline").containsExactly("online by a");
        nodeB.leave("alice", report("offline by b"));
        assertThat(reports).containsExactly("online by a", "offline by b");
    }

    @Test
    void usersWhoseEveryTabWasOnAKilledNodeAreReportedOfflineOnceByTheNodesThatReap() {
        nodeA.enter("alice", report("alice online"));
        nodeA.enter("bob", report("bob online"));
        nodeB.enter("bob", report("bob online"));
        nodeB.reapDeparted(user -> reports.add(user + " offline"));
        assertThat(reports).as("nobody departed yet").containsExactly("alice online", "bob online");

        server.call("DEL", RedisKeys.nodeAlive("node-a")); // node-a was killed: its heartbeat expired
        server.call("SET", RedisKeys.nodeAlive("node-c"), "incarnation-c");
        try (RedisOccupancy nodeC = new RedisOccupancy(connections, "user", "node-c", Duration.ofHours(1))) {
            nodeB.reapDeparted(user -> reports.add(user + " offline (reaped by b)"));
            nodeC.reapDeparted(user -> reports.add(user + " offline (reaped by c)"));
        }
        assertThat(reports).containsExactly("alice online", "bob online", "alice offline (reaped by b)");
        assertThat(server.call("SMEMBERS", RedisKeys.occupancyWriters("user")))
                .as("the departed writer is forgotten").doesNotContain("node-a");

        nodeB.enter("alice", report("alice online again"));
        nodeB.leave("bob", report("bob offline"));
        assertThat(reports).endsWith("alice online again", "bob offline");
    }

    @Test
    void aNodeWithoutHeartbeatCountsNothing() {
        server.call("DEL", RedisKeys.nodeAlive("node-a"));
        nodeA.enter("alice", report("online by a"));
        nodeB.enter("alice", report("online by b"));
        assertThat(reports).containsExactly("online by b");
    }

    @Test
    void aNodeThatRegainedItsLeaseWritesItsShareAgain() {
        nodeA.enter("alice", report("online by a"));
        server.call("SET", RedisKeys.nodeAlive("node-a"), "incarnation-a2"); // lease lost and regained
        nodeA.resync();
        nodeB.enter("alice", report("online by b"));
        nodeB.leave("alice", report("offline by b"));
        nodeA.leave("alice", report("offline by a"));
        assertThat(reports).containsExactly("online by a", "offline by a");
    }
}
