package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ChannelRegistry} promises, run against each implementation: the in-memory one
 * ({@link InMemoryChannelRegistryTest}) and the one on Redis (RedisChannelRegistryTest).
 */
public abstract class ChannelRegistryContract {

    protected static final String NODE = "node-a";
    private static final int THREADS = 50;
    /** Races are run several times over: one interleaving proves little. */
    private static final int ROUNDS = 20;

    private ChannelRegistry registry;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    /** A fresh, empty registry for each test. */
    protected abstract ChannelRegistry newRegistry();

    /** When the registry says a reservation was made, as the implementation's clock reads it. */
    protected abstract java.time.Instant now();

    @org.junit.jupiter.api.BeforeEach
    void makeRegistry() {
        registry = newRegistry();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void claimOfAFreeChannelIsGrantedWithNobodyDisplaced() {
        ChannelClaim claim = registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT);

        assertThat(claim).isInstanceOfSatisfying(ChannelClaim.Granted.class, granted -> {
            assertThat(granted.reservation().channelId()).isEqualTo("agent-42");
            assertThat(granted.reservation().user()).isEqualTo("alice");
            assertThat(granted.reservation().nodeId()).isEqualTo(NODE);
            assertThat(granted.reservation().reservedAt()).isCloseTo(now(), org.assertj.core.api.Assertions.within(
                    5, java.time.temporal.ChronoUnit.SECONDS));
            assertThat(granted.displaced()).isNull();
        });
    }

    @Test
    void fiftySimultaneousClaimsUnderRejectGrantExactlyOne() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channelId = "agent-" + round;
            List<ChannelClaim> claims = raceClaims(channelId, ChannelPolicy.REJECT);

            assertThat(claims).as("round %d", round).filteredOn(ChannelClaim.Granted.class::isInstance).hasSize(1);
            assertThat(claims).filteredOn(ChannelClaim.Refused.class::isInstance).hasSize(THREADS - 1)
                    .allSatisfy(c -> assertThat(((ChannelClaim.Refused) c).channelId()).isEqualTo(channelId));
        }
    }

    @Test
    void fiftySimultaneousClaimsUnderReplaceLeaveExactlyOneCurrentReservation() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channelId = "agent-" + round;
            String incumbent = bindNew(channelId, "incumbent");

            List<ChannelClaim> claims = raceClaims(channelId, ChannelPolicy.REPLACE);

            assertThat(claims).allMatch(ChannelClaim.Granted.class::isInstance);
            List<String> bound = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
                String session = "s" + i;
                if (registry.bind(((ChannelClaim.Granted) claims.get(i)).reservation(), session)) {
                    bound.add(session);
                }
            }
            assertThat(bound).as("round %d", round).hasSize(1);
            assertThat(registry.holder(channelId).map(ChannelHolder::sessionId)).contains(bound.get(0));
            assertThat(claims).extracting(c -> ((ChannelClaim.Granted) c).displaced())
                    .filteredOn(d -> d != null && d.sessionId() != null).extracting(ChannelHolder::sessionId)
                    .containsExactly(incumbent);
        }
    }

    @Test
    void claimUnderReplaceReportsTheBoundHolderItDisplaced() {
        String incumbent = bindNew("agent-42", "alice");

        ChannelClaim claim = registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE);

        assertThat(claim).isInstanceOfSatisfying(ChannelClaim.Granted.class,
                granted -> assertThat(granted.displaced()).satisfies(displaced -> {
                    assertThat(displaced.sessionId()).isEqualTo(incumbent);
                    assertThat(displaced.user()).isEqualTo("alice");
                    assertThat(displaced.nodeId()).isEqualTo(NODE);
                }));
        assertThat(registry.holder("agent-42")).isEmpty();
    }

    @Test
    void claimUnderRejectOfAnOpenChannelIsRefusedAndLeavesTheHolderAlone() {
        String incumbent = bindNew("agent-42", "alice");

        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(incumbent);
    }

    @Test
    void bindOfASupersededReservationReturnsFalse() {
        ChannelReservation first = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE));
        ChannelReservation second = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE));

        assertThat(registry.bind(first, "s1")).isFalse();
        assertThat(registry.bind(second, "s2")).isTrue();
    }

    @Test
    void bindOfACancelledReservationReturnsFalse() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        registry.cancel(reservation);

        assertThat(registry.bind(reservation, "s1")).isFalse();
        assertThat(registry.holder("agent-42")).isEmpty();
    }

    @Test
    void aReservationBindsOnlyOnce() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        String first = "s1";

        assertThat(registry.bind(reservation, first)).isTrue();
        assertThat(registry.bind(reservation, "s2")).isFalse();
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(first);
    }

    @Test
    void reservedButUnboundChannelHasNoHolderYetStillBlocksUnderReject() {
        grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));

        assertThat(registry.holder("agent-42")).isEmpty();
        assertThat(registry.openChannels()).isEmpty();
        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
    }

    @Test
    void cancelFreesTheChannel() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));

        registry.cancel(reservation);

        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void cancelOfASupersededReservationDoesNotFreeTheCurrentOne() {
        ChannelReservation first = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE));
        grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE));

        registry.cancel(first);

        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
    }

    @Test
    void cancelOfABoundReservationHasNoEffect() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        String session = "s1";
        registry.bind(reservation, session);

        registry.cancel(reservation);

        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(session);
    }

    @Test
    void releaseByTheHolderFreesTheChannel() {
        String session = bindNew("agent-42", "alice");

        registry.release("agent-42", session);

        assertThat(registry.holder("agent-42")).isEmpty();
        assertThat(registry.openChannels()).isEmpty();
        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void releaseBySomeoneElseHasNoEffect() {
        String holder = bindNew("agent-42", "alice");
        String impostor = "s-other";

        registry.release("agent-42", impostor);

        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(holder);
    }

    @Test
    void releaseByAReplacedSessionDoesNotFreeItsSuccessorsChannel() {
        String old = bindNew("agent-42", "alice");
        ChannelReservation next = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REPLACE));
        String successor = "s-new";
        registry.bind(next, successor);

        registry.release("agent-42", old); // the replaced session closes afterwards

        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(successor);
    }

    @Test
    void openChannelsIsASnapshotOfBoundSessions() {
        String a = bindNew("agent-1", "alice");
        String b = bindNew("agent-2", "bob");
        grant(registry.claim("agent-3", "carol", NODE, ChannelPolicy.REJECT));

        List<ChannelHolder> snapshot = registry.openChannels();
        registry.release("agent-1", a);

        assertThat(snapshot).extracting(ChannelHolder::sessionId).containsExactlyInAnyOrder(a, b);
        assertThat(registry.openChannels()).extracting(ChannelHolder::channelId, ChannelHolder::user,
                ChannelHolder::nodeId, ChannelHolder::sessionId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("agent-2", "bob", NODE, b));
    }

    @Test
    void channelsAreIndependent() {
        bindNew("agent-1", "alice");

        assertThat(registry.claim("agent-2", "alice", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    // --- helpers ---

    @Test
    void aBoundHolderReassertsItsOwnClaimAndNothingChanges() {
        String session = bindNew("agent-42", "alice");
        ChannelHolder holder = registry.holder("agent-42").orElseThrow();

        assertThat(registry.reassert(holder)).isTrue();

        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(session);
        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
    }

    @Test
    void aSessionWhoseChannelAnotherSessionHoldsIsNotReasserted() {
        String holder = bindNew("agent-42", "alice");

        boolean reasserted = registry.reassert(new ChannelHolder("agent-42", "alice", NODE, "s-replaced", now()));

        assertThat(reasserted).isFalse();
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(holder);
    }

    protected final String bindNew(String channelId, String user) {
        ChannelReservation reservation = grant(registry.claim(channelId, user, NODE, ChannelPolicy.REJECT));
        String session = "s-" + user + "-" + channelId;
        assertThat(registry.bind(reservation, session)).isTrue();
        return session;
    }

    protected static ChannelReservation grant(ChannelClaim claim) {
        assertThat(claim).isInstanceOf(ChannelClaim.Granted.class);
        return ((ChannelClaim.Granted) claim).reservation();
    }

    /** {@value #THREADS} threads claim {@code channelId} at the same moment. */
    private List<ChannelClaim> raceClaims(String channelId, ChannelPolicy policy) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<ChannelClaim>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String user = "user" + i;
            Callable<ChannelClaim> task = () -> {
                start.await(10, TimeUnit.SECONDS);
                return registry.claim(channelId, user, NODE, policy);
            };
            futures.add(pool.submit(task));
        }
        List<ChannelClaim> claims = new ArrayList<>();
        for (Future<ChannelClaim> future : futures) {
            claims.add(future.get(10, TimeUnit.SECONDS));
        }
        return claims;
    }
}
