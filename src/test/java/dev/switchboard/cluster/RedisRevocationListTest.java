package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.Revocation;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.broker.RevocationListContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The revocation list contract on a real Redis, plus what only the cluster's list does: other
 * nodes hear a revocation and lift it, a node that starts later loads it, keys expire with it.
 */
class RedisRevocationListTest extends RevocationListContract {

    private static final Duration RELOAD = Duration.ofSeconds(5);

    private static RedisConnections nodeA;
    private static RedisConnections nodeB;

    private RedisRevocationList listA;
    private RedisRevocationList listB;

    @BeforeAll
    static void connect() {
        nodeA = new RedisConnections(RedisServer.shared().uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
        nodeB = new RedisConnections(RedisServer.shared().uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void disconnect() {
        nodeA.close();
        nodeB.close();
    }

    @BeforeEach
    void lists() {
        RedisServer.shared().flushAll();
        listA = new RedisRevocationList(nodeA, clock, RELOAD, CAPACITY);
        listB = new RedisRevocationList(nodeB, clock, RELOAD);
    }

    @AfterEach
    void closeLists() {
        listA.close();
        listB.close();
    }

    @Override
    protected RevocationList list() {
        return listA;
    }

    @Test
    void anotherNodeHearsARevocationAndItsLifting() {
        List<Revocation> heardOnB = new CopyOnWriteArrayList<>();
        listB.onRevoked(heardOnB::add);
        Revocation made = revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofHours(1));

        listA.add(made);

        await().atMost(Duration.ofSeconds(5)).until(() -> listB.isRevoked("alice", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> heardOnB.contains(made));
        listA.remove("rv-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> !listB.isRevoked("alice", null));
    }

    @Test
    void aNodeThatStartsLaterLoadsWhatCounts() {
        Revocation made = revocation("rv-1", Revocation.Kind.JTI, "jti-1", Duration.ofHours(1));
        listA.add(made);
        listA.add(revocation("rv-2", Revocation.Kind.USER, "bob", Duration.ofMinutes(1)));
        clock.advance(Duration.ofMinutes(2));

        RedisRevocationList restarted = new RedisRevocationList(nodeB, clock, RELOAD);
        try {
            assertThat(restarted.active()).containsExactly(made);
            assertThat(restarted.isRevoked("anyone", "jti-1")).isTrue();
        } finally {
            restarted.close();
        }
    }

    @Test
    void aRevocationsKeyExpiresWithIt() {
        listA.add(revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofMinutes(10)));

        long ttl = nodeA.commands().sync().pttl(RedisKeys.revocation("rv-1"));
        assertThat(ttl).isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
        assertThat(nodeA.commands().sync().pttl(RedisKeys.REVOCATIONS)).isPositive();
    }

    @Test
    void aReloadCatchesUpWithAMissedAnnouncement() {
        // Written behind the nodes' backs, as if the announcement had been lost in an outage.
        Revocation missed = revocation("rv-9", Revocation.Kind.USER, "carol", Duration.ofHours(1));
        nodeA.commands().sync().set(RedisKeys.revocation("rv-9"), RevocationCodec.encode(missed));
        nodeA.commands().sync().zadd(RedisKeys.REVOCATIONS, missed.until().toEpochMilli(), "rv-9");
        assertThat(listB.isRevoked("carol", null)).isFalse();

        listB.reload();

        assertThat(listB.isRevoked("carol", null)).isTrue();
    }
}
