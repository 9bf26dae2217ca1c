package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
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

class InMemoryChannelRegistryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int THREADS = 50;
    /** Races are run several times over: one interleaving proves little. */
    private static final int ROUNDS = 20;

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryChannelRegistry registry = new InMemoryChannelRegistry(clock, TIMEOUT);
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void claimOfAFreeChannelIsGrantedWithNobodyDisplaced() {
        ChannelClaim claim = registry.claim("agent-42", "alice", ChannelPolicy.REJECT);

        assertThat(claim).isInstanceOfSatisfying(ChannelClaim.Granted.class, granted -> {
            assertThat(granted.reservation().channelId()).isEqualTo("agent-42");
            assertThat(granted.reservation().user()).isEqualTo("alice");
            assertThat(granted.reservation().reservedAt()).isEqualTo(clock.instant());
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
            RecordingSubscriber incumbent = bindNew(channelId, "incumbent");

            List<ChannelClaim> claims = raceClaims(channelId, ChannelPolicy.REPLACE);

            assertThat(claims).allMatch(ChannelClaim.Granted.class::isInstance);
            List<RecordingSubscriber> bound = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
                RecordingSubscriber session = new RecordingSubscriber("s" + i, "user" + i, channelId);
                if (registry.bind(((ChannelClaim.Granted) claims.get(i)).reservation(), session)) {
                    bound.add(session);
                }
            }
            assertThat(bound).as("round %d", round).hasSize(1);
            assertThat(registry.holder(channelId)).containsSame(bound.get(0));
            assertThat(incumbent.disconnects()).containsExactly(CloseCode.REPLACED);
            assertThat(claims).extracting(c -> ((ChannelClaim.Granted) c).displaced())
                    .filteredOn(d -> d != null).containsExactly(incumbent);
        }
    }

    @Test
    void claimUnderReplaceDisconnectsTheBoundHolderAndReportsIt() {
        RecordingSubscriber incumbent = bindNew("agent-42", "alice");

        ChannelClaim claim = registry.claim("agent-42", "alice", ChannelPolicy.REPLACE);

        assertThat(claim).isInstanceOfSatisfying(ChannelClaim.Granted.class,
                granted -> assertThat(granted.displaced()).isSameAs(incumbent));
        assertThat(incumbent.disconnects()).containsExactly(CloseCode.REPLACED);
        assertThat(registry.holder("agent-42")).isEmpty();
    }

    @Test
    void claimUnderRejectOfAnOpenChannelIsRefusedAndLeavesTheHolderAlone() {
        RecordingSubscriber incumbent = bindNew("agent-42", "alice");

        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        assertThat(incumbent.disconnects()).isEmpty();
        assertThat(registry.holder("agent-42")).containsSame(incumbent);
    }

    @Test
    void bindOfASupersededReservationReturnsFalse() {
        ChannelReservation first = grant(registry.claim("agent-42", "alice", ChannelPolicy.REPLACE));
        ChannelReservation second = grant(registry.claim("agent-42", "alice", ChannelPolicy.REPLACE));

        assertThat(registry.bind(first, new RecordingSubscriber("s1", "alice", "agent-42"))).isFalse();
        assertThat(registry.bind(second, new RecordingSubscriber("s2", "alice", "agent-42"))).isTrue();
    }

    @Test
    void bindOfACancelledReservationReturnsFalse() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));
        registry.cancel(reservation);

        assertThat(registry.bind(reservation, new RecordingSubscriber("s1", "alice", "agent-42"))).isFalse();
        assertThat(registry.holder("agent-42")).isEmpty();
    }

    @Test
    void aReservationBindsOnlyOnce() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));
        RecordingSubscriber first = new RecordingSubscriber("s1", "alice", "agent-42");

        assertThat(registry.bind(reservation, first)).isTrue();
        assertThat(registry.bind(reservation, new RecordingSubscriber("s2", "alice", "agent-42"))).isFalse();
        assertThat(registry.holder("agent-42")).containsSame(first);
    }

    @Test
    void reservedButUnboundChannelHasNoHolderYetStillBlocksUnderReject() {
        grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));

        assertThat(registry.holder("agent-42")).isEmpty();
        assertThat(registry.openChannels()).isEmpty();
        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
    }

    @Test
    void cancelFreesTheChannel() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));

        registry.cancel(reservation);

        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void cancelOfASupersededReservationDoesNotFreeTheCurrentOne() {
        ChannelReservation first = grant(registry.claim("agent-42", "alice", ChannelPolicy.REPLACE));
        grant(registry.claim("agent-42", "alice", ChannelPolicy.REPLACE));

        registry.cancel(first);

        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
    }

    @Test
    void cancelOfABoundReservationHasNoEffect() {
        ChannelReservation reservation = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));
        RecordingSubscriber session = new RecordingSubscriber("s1", "alice", "agent-42");
        registry.bind(reservation, session);

        registry.cancel(reservation);

        assertThat(registry.holder("agent-42")).containsSame(session);
    }

    @Test
    void releaseByTheHolderFreesTheChannel() {
        RecordingSubscriber session = bindNew("agent-42", "alice");

        registry.release("agent-42", session);

        assertThat(registry.holder("agent-42")).isEmpty();
        assertThat(registry.openChannels()).isEmpty();
        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void releaseBySomeoneElseHasNoEffect() {
        RecordingSubscriber holder = bindNew("agent-42", "alice");
        RecordingSubscriber impostor = new RecordingSubscriber("s-other", "alice", "agent-42");

        registry.release("agent-42", impostor);

        assertThat(registry.holder("agent-42")).containsSame(holder);
    }

    @Test
    void releaseByAReplacedSessionDoesNotFreeItsSuccessorsChannel() {
        RecordingSubscriber old = bindNew("agent-42", "alice");
        ChannelReservation next = grant(registry.claim("agent-42", "alice", ChannelPolicy.REPLACE));
        RecordingSubscriber successor = new RecordingSubscriber("s-new", "alice", "agent-42");
        registry.bind(next, successor);

        registry.release("agent-42", old); // the replaced session closes afterwards

        assertThat(registry.holder("agent-42")).containsSame(successor);
    }

    @Test
    void unboundReservationOlderThanTheTimeoutNoLongerBlocks() {
        ChannelReservation abandoned = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));

        clock.advance(TIMEOUT);
        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).as("at exactly the timeout")
                .isInstanceOf(ChannelClaim.Refused.class);

        clock.advance(Duration.ofMillis(1));
        ChannelClaim late = registry.claim("agent-42", "bob", ChannelPolicy.REJECT);

        assertThat(late).isInstanceOf(ChannelClaim.Granted.class);
        assertThat(registry.bind(abandoned, new RecordingSubscriber("s1", "alice", "agent-42"))).isFalse();
    }

    @Test
    void reservationOlderThanTheTimeoutThatNobodyTookOverStillBinds() {
        ChannelReservation late = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));
        clock.advance(TIMEOUT.plusSeconds(1));
        RecordingSubscriber session = new RecordingSubscriber("s1", "alice", "agent-42");

        assertThat(registry.bind(late, session)).isTrue();
        assertThat(registry.holder("agent-42")).containsSame(session);
    }

    @Test
    void reservationOlderThanTheTimeoutDoesNotBindOnceAnotherClaimTookTheChannelOver() {
        ChannelReservation abandoned = grant(registry.claim("agent-42", "alice", ChannelPolicy.REJECT));
        clock.advance(TIMEOUT.plusSeconds(1));
        ChannelReservation takeover = grant(registry.claim("agent-42", "bob", ChannelPolicy.REJECT));
        RecordingSubscriber bob = new RecordingSubscriber("s2", "bob", "agent-42");

        assertThat(registry.bind(abandoned, new RecordingSubscriber("s1", "alice", "agent-42"))).isFalse();
        assertThat(registry.bind(takeover, bob)).isTrue();
        assertThat(registry.holder("agent-42")).containsSame(bob);
    }

    @Test
    void boundSessionBlocksForeverWhateverTheClockSays() {
        RecordingSubscriber session = bindNew("agent-42", "alice");

        clock.advance(TIMEOUT.multipliedBy(100));

        assertThat(registry.claim("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        assertThat(registry.holder("agent-42")).containsSame(session);
    }

    @Test
    void openChannelsIsASnapshotOfBoundSessions() {
        RecordingSubscriber a = bindNew("agent-1", "alice");
        RecordingSubscriber b = bindNew("agent-2", "bob");
        grant(registry.claim("agent-3", "carol", ChannelPolicy.REJECT));

        List<Subscriber> snapshot = registry.openChannels();
        registry.release("agent-1", a);

        assertThat(snapshot).containsExactlyInAnyOrder(a, b);
        assertThat(registry.openChannels()).containsExactly(b);
    }

    @Test
    void channelsAreIndependent() {
        bindNew("agent-1", "alice");

        assertThat(registry.claim("agent-2", "alice", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    // --- helpers ---

    private RecordingSubscriber bindNew(String channelId, String user) {
        ChannelReservation reservation = grant(registry.claim(channelId, user, ChannelPolicy.REJECT));
        RecordingSubscriber session = new RecordingSubscriber("s-" + user + "-" + channelId, user, channelId);
        assertThat(registry.bind(reservation, session)).isTrue();
        return session;
    }

    private static ChannelReservation grant(ChannelClaim claim) {
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
                return registry.claim(channelId, user, policy);
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
