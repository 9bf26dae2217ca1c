package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelRegistry;
import dev.switchboard.broker.ChannelRegistryContract;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClusterUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on Redis, plus what only a shared registry has: several nodes (one connection
 * each), node liveness through the heartbeat key, and the time limit on unbound reservations
 * measured by Redis.
 */
class RedisChannelRegistryTest extends ChannelRegistryContract {

    private static final String NODE_B = "node-b";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int THREADS = 50;
    private static final int ROUNDS = 20;

    private static RedisServer server;
    private static RedisConnections nodeA;
    private static RedisConnections nodeB;

    private RedisChannelRegistry registry;
    private RedisChannelRegistry registryB;

    @BeforeAll
    static void connect() {
        server = RedisServer.shared();
        nodeA = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
        nodeB = new RedisConnections(server.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void disconnect() {
        nodeA.close();
        nodeB.close();
    }

    @Override
    protected ChannelRegistry newRegistry() {
        // Runs in the contract's @BeforeEach, before any of this class's.
        server.flushAll();
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a");
        server.call("SET", RedisKeys.nodeAlive(NODE_B), "incarnation-b");
        registry = new RedisChannelRegistry(nodeA, TIMEOUT);
        registryB = new RedisChannelRegistry(nodeB, TIMEOUT);
        return registry;
    }

    @Override
    protected Instant now() {
        return Instant.now();
    }

    @Test
    void holderWhoseNodesHeartbeatWasDeletedIsFreeUnderReject() {
        String incumbent = bindNew("agent-42", "alice");
        server.call("DEL", RedisKeys.nodeAlive(NODE));

        ChannelClaim claim = registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT);

        assertThat(claim).isInstanceOfSatisfying(ChannelClaim.Granted.class, granted -> {
            assertThat(granted.displaced().sessionId()).isEqualTo(incumbent);
            assertThat(granted.displaced().nodeId()).isEqualTo(NODE);
        });
    }

    @Test
    void holderWhoseNodesHeartbeatExpiredIsFreeUnderReject() {
        bindNew("agent-42", "alice");
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a", "PX", "200");

        assertThat(registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT)).as("while node-a's lease runs")
                .isInstanceOf(ChannelClaim.Refused.class);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT),
                        ChannelClaim.Granted.class::isInstance);
    }

    @Test
    void holderOfAnEarlierIncarnationOfItsNodeIsFree() {
        bindNew("agent-42", "alice");
        // node-a lost its lease, fenced itself (closing the session) and came back as a new incarnation.
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a2");

        assertThat(registry.holder("agent-42")).isEmpty();
        assertThat(registry.openChannels()).isEmpty();
        assertThat(registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void aClaimRedisLostIsRecordedAgainByItsHolderAndBlocksOthersAgain() {
        String incumbent = bindNew("agent-42", "alice");
        ChannelHolder holder = registry.holder("agent-42").orElseThrow();
        // Redis restarted without its data; the node's heartbeat is back, its claims are not.
        server.flushAll();
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a");
        server.call("SET", RedisKeys.nodeAlive(NODE_B), "incarnation-b");
        assertThat(registry.holder("agent-42")).isEmpty();

        assertThat(registry.reassert(holder)).isTrue();

        assertThat(registryB.holder("agent-42").map(ChannelHolder::sessionId)).contains(incumbent);
        assertThat(registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        assertThat(registryB.openChannels()).extracting(ChannelHolder::channelId).containsExactly("agent-42");
    }

    @Test
    void aClaimOfAnEarlierIncarnationIsNotRevivedAndAClaimTakenMeanwhileIsNotTakenBack() {
        bindNew("agent-42", "alice");
        ChannelHolder fenced = registry.holder("agent-42").orElseThrow();
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a2");
        assertThat(registry.reassert(fenced)).as("an older incarnation's session").isFalse();

        server.flushAll();
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a2");
        server.call("SET", RedisKeys.nodeAlive(NODE_B), "incarnation-b");
        ChannelReservation taken = grant(registryB.claim("agent-42", "bob", NODE_B, ChannelPolicy.REJECT));
        assertThat(registryB.bind(taken, "s-bob")).isTrue();

        assertThat(registry.reassert(fenced)).as("the channel is another node's now").isFalse();
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains("s-bob");
    }

    @Test
    void aNodeWithoutHeartbeatCannotReassert() {
        bindNew("agent-42", "alice");
        ChannelHolder holder = registry.holder("agent-42").orElseThrow();
        server.call("DEL", RedisKeys.nodeAlive(NODE));

        assertThatThrownBy(() -> registry.reassert(holder)).isInstanceOf(ClusterUnavailableException.class);
    }

    @Test
    void reservationDoesNotBindOnceItsNodeLostItsLease() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        server.call("SET", RedisKeys.nodeAlive(NODE), "incarnation-a2");

        assertThat(registry.bind(reservation, "s1")).isFalse();
    }

    @Test
    void aNodeWithoutHeartbeatCannotClaim() {
        server.call("DEL", RedisKeys.nodeAlive(NODE));

        assertThatThrownBy(() -> registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT))
                .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining(NODE);
    }

    @Test
    void holderIsSeenByEveryNodeWithBindTimeAsSince() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        assertThat(registry.bind(reservation, "s1")).isTrue();

        ChannelHolder holder = registryB.holder("agent-42").orElseThrow();

        assertThat(holder).isEqualTo(new ChannelHolder("agent-42", "alice", NODE, "s1", holder.since()));
        assertThat(holder.since()).isAfterOrEqualTo(reservation.reservedAt()).isBeforeOrEqualTo(Instant.now().plusSeconds(5));
    }

    @Test
    void claimsOfTwoNodesRacingUnderRejectGrantExactlyOne() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<ChannelClaim> claims = raceAcrossNodes("agent-" + round, ChannelPolicy.REJECT);

            assertThat(claims).as("round %d", round).filteredOn(ChannelClaim.Granted.class::isInstance).hasSize(1);
        }
    }

    @Test
    void claimsOfTwoNodesRacingUnderReplaceBindExactlyOne() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channelId = "agent-" + round;
            List<ChannelClaim> claims = raceAcrossNodes(channelId, ChannelPolicy.REPLACE);

            assertThat(claims).allMatch(ChannelClaim.Granted.class::isInstance);
            List<String> bound = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
                ChannelReservation reservation = ((ChannelClaim.Granted) claims.get(i)).reservation();
                RedisChannelRegistry own = reservation.nodeId().equals(NODE) ? registry : registryB;
                if (own.bind(reservation, "s" + i)) {
                    bound.add("s" + i);
                }
            }
            assertThat(bound).as("round %d", round).hasSize(1);
            assertThat(registryB.holder(channelId).map(ChannelHolder::sessionId)).contains(bound.get(0));
        }
    }

    @Test
    void unboundReservationOlderThanTheTimeoutNoLongerBlocks() {
        RedisChannelRegistry quick = new RedisChannelRegistry(nodeA, Duration.ofMillis(300));
        long start = System.nanoTime();
        ChannelReservation abandoned = grant(quick.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        assertThat(quick.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);

        ChannelClaim late = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> quick.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT), ChannelClaim.Granted.class::isInstance);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(quick.bind(abandoned, "s1")).isFalse();
        assertThat(quick.bind(((ChannelClaim.Granted) late).reservation(), "s2")).isTrue();
    }

    @Test
    void openChannelsForgetsClaimsOfDeadNodes() {
        bindNew("agent-1", "alice");
        ChannelReservation onB = grant(registryB.claim("agent-2", "bob", NODE_B, ChannelPolicy.REJECT));
        registryB.bind(onB, "s-b");
        server.call("DEL", RedisKeys.nodeAlive(NODE_B));

        assertThat(registry.openChannels()).extracting(ChannelHolder::channelId).containsExactly("agent-1");
        assertThat(server.call("EXISTS", RedisKeys.channelClaim("agent-2"))).isEqualTo("0");
        assertThat(server.call("SCARD", RedisKeys.CLAIMS)).isEqualTo("1");
    }

    @Test
    void releaseAndCancelLeaveNoKeysBehind() {
        String session = bindNew("agent-1", "alice");
        ChannelReservation reservation = grant(registry.claim("agent-2", "bob", NODE, ChannelPolicy.REJECT));

        registry.release("agent-1", session);
        registry.cancel(reservation);

        assertThat(server.call("EXISTS", RedisKeys.channelClaim("agent-1"), RedisKeys.channelClaim("agent-2"),
                RedisKeys.CLAIMS)).isEqualTo("0");
    }

    @Test
    void unboundReservationExpiresButABoundClaimDoesNot() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        assertThat(Long.parseLong(server.call("PTTL", RedisKeys.channelClaim("agent-42")))).isPositive();

        registry.bind(reservation, "s1");

        assertThat(server.call("PTTL", RedisKeys.channelClaim("agent-42"))).isEqualTo("-1");
    }

    @Test
    void scriptsAreSentAgainAfterRedisForgotThem() {
        bindNew("agent-1", "alice");
        server.call("SCRIPT", "FLUSH");

        assertThat(registry.claim("agent-2", "alice", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
        assertThat(registry.holder("agent-1")).isPresent();
    }

    @Test
    void redisDownIsClusterUnavailable() {
        try (RedisServer own = RedisServer.startOwn();
                RedisConnections connections = new RedisConnections(own.uri(), Duration.ofSeconds(1))) {
            RedisChannelRegistry down = new RedisChannelRegistry(connections, TIMEOUT);
            own.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> !connections.isConnected());

            assertThatThrownBy(() -> down.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT))
                    .isInstanceOf(ClusterUnavailableException.class).hasMessageStartingWith("Redis did not claim a channel")
                    .hasMessageNotContaining("\n");
        }
    }

    /** {@value #THREADS} threads, half on each node, claim {@code channelId} at the same moment. */
    private List<ChannelClaim> raceAcrossNodes(String channelId, ChannelPolicy policy) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<ChannelClaim>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                boolean onA = i % 2 == 0;
                String user = "user" + i;
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return onA ? registry.claim(channelId, user, NODE, policy)
                            : registryB.claim(channelId, user, NODE_B, policy);
                }));
            }
            List<ChannelClaim> claims = new ArrayList<>();
            for (Future<ChannelClaim> future : futures) {
                claims.add(future.get(10, TimeUnit.SECONDS));
            }
            return claims;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
