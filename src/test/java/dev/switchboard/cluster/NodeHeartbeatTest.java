package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeHeartbeatTest {

    private static final Duration LEASE = Duration.ofSeconds(1);

    @Test
    void keyIsPresentWhileRunningAndDeletedOnClose() {
        RedisServer server = RedisServer.shared();
        String key = RedisKeys.nodeAlive("hb-node");
        try (RedisConnections redis = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT)) {
            NodeHeartbeat heartbeat = new NodeHeartbeat(redis, "hb-node", LEASE);
            heartbeat.start();

            assertThat(server.call("GET", key)).isEqualTo(heartbeat.incarnation());
            assertThat(Long.parseLong(server.call("PTTL", key))).isBetween(1L, LEASE.toMillis());
            // Refreshed: still there well past one lease.
            await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(3))
                    .until(() -> heartbeat.incarnation().equals(server.call("GET", key)));
            assertThat(heartbeat.alive()).isTrue();
            assertThat(heartbeat.sinceLastBeat()).isLessThan(LEASE);

            heartbeat.close();

            assertThat(server.call("EXISTS", key)).isEqualTo("0");
            assertThat(heartbeat.alive()).isFalse();
        }
    }

    @Test
    void closeLeavesTheKeyOfASuccessorWithTheSameNodeIdAlone() {
        RedisServer server = RedisServer.shared();
        String key = RedisKeys.nodeAlive("hb-successor");
        try (RedisConnections redis = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT)) {
            NodeHeartbeat heartbeat = new NodeHeartbeat(redis, "hb-successor", Duration.ofSeconds(10));
            heartbeat.start();
            server.call("SET", key, "successor", "PX", "10000");

            heartbeat.close();

            assertThat(server.call("GET", key)).isEqualTo("successor");
        }
    }

    @Test
    void leaseIsLostAboutOneLeaseAfterRedisDiesAndRegainedAfterItReturns() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections redis = new RedisConnections(server.uri(), Duration.ofMillis(500));
                NodeHeartbeat heartbeat = new NodeHeartbeat(redis, "hb-fenced", LEASE)) {
            List<String> events = new CopyOnWriteArrayList<>();
            AtomicInteger lost = new AtomicInteger();
            heartbeat.onLeaseLost(() -> events.add("lost on " + Thread.currentThread().getName()));
            heartbeat.onLeaseLost(() -> {
                throw new IllegalStateException("a failing listener must not stop the others");
            });
            heartbeat.onLeaseLost(lost::incrementAndGet);
            heartbeat.onLeaseRegained(() -> events.add("regained"));
            heartbeat.start();
            String first = heartbeat.incarnation();

            long killedAt = System.nanoTime();
            server.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> lost.get() == 1);
            Duration afterKill = Duration.ofNanos(System.nanoTime() - killedAt);

            // The last refresh before the kill was at most lease/3 earlier, and the lease counts from it.
            assertThat(afterKill).isBetween(LEASE.minus(LEASE.dividedBy(3)).minusMillis(50), LEASE.plusSeconds(1));
            assertThat(events).containsExactly("lost on switchboard-heartbeat-hb-fenced");
            assertThat(heartbeat.alive()).isFalse();
            assertThat(heartbeat.sinceLastBeat()).isGreaterThanOrEqualTo(LEASE);
            assertThat(heartbeat.incarnation()).isNotEqualTo(first);
            // Once per loss: still one while Redis stays away.
            await().during(LEASE).atMost(LEASE.multipliedBy(2)).until(() -> lost.get() == 1);

            server.restart();

            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("regained"));
            assertThat(events).containsExactly("lost on switchboard-heartbeat-hb-fenced", "regained");
            assertThat(heartbeat.alive()).isTrue();
            assertThat(server.call("GET", RedisKeys.nodeAlive("hb-fenced"))).isEqualTo(heartbeat.incarnation());
            assertThat(lost.get()).isEqualTo(1);
        }
    }

    @Test
    void afterRedisRestartsWithoutItsDataTheKeyIsWrittenAgainAtOnceAndOnlyThenHeld() {
        // Refreshes 10 s apart: the key coming back within 5 s of the restart is the reconnect's refresh, not the period's.
        Duration lease = Duration.ofSeconds(30);
        String key = RedisKeys.nodeAlive("hb-restarted");
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections redis = new RedisConnections(server.uri(), Duration.ofMillis(500));
                NodeHeartbeat heartbeat = new NodeHeartbeat(redis, "hb-restarted", lease)) {
            heartbeat.start();
            assertThat(heartbeat.holdsKey()).isTrue();

            server.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> !heartbeat.holdsKey());
            assertThat(heartbeat.alive()).as("still within the lease").isTrue();

            server.restart(); // without persistence: the key is gone
            await().atMost(Duration.ofSeconds(5)).until(heartbeat::holdsKey);
            assertThat(server.call("GET", key)).isEqualTo(heartbeat.incarnation());
        }
    }
}
