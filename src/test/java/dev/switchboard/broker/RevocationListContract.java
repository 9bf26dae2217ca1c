package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RevocationList} promises, run against the single node's list
 * ({@link InMemoryRevocationListTest}) and the one on Redis (RedisRevocationListTest).
 */
public abstract class RevocationListContract {

    protected final MutableClock clock = MutableClock.atFixedInstant();

    /** How many revocations the list under test holds at most. */
    protected static final int CAPACITY = 100;

    /** The list under test, empty at the start of each test, on {@link #clock}, holding at most {@link #CAPACITY}. */
    protected abstract RevocationList list();

    protected Revocation revocation(String id, Revocation.Kind kind, String value, Duration lasting) {
        return new Revocation(id, kind, value, clock.instant().plus(lasting), clock.instant());
    }

    @Test
    void aRevokedUserIsRevokedWhateverTheTokenAndOthersAreNot() {
        list().add(revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofHours(1)));

        assertThat(list().isRevoked("alice", null)).isTrue();
        assertThat(list().isRevoked("alice", "jti-9")).isTrue();
        assertThat(list().isRevoked("bob", null)).isFalse();
    }

    @Test
    void aRevokedTokenIdRevokesThatTokenOnly() {
        list().add(revocation("rv-1", Revocation.Kind.JTI, "jti-1", Duration.ofHours(1)));

        assertThat(list().isRevoked("alice", "jti-1")).isTrue();
        assertThat(list().isRevoked("alice", "jti-2")).isFalse();
        assertThat(list().isRevoked("alice", null)).isFalse();
        assertThat(list().isRevoked("jti-1", null)).as("a user named like the token id").isFalse();
    }

    @Test
    void aRevocationEndsAtItsUntil() {
        list().add(revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofMinutes(10)));

        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(list().isRevoked("alice", null)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(list().isRevoked("alice", null)).isFalse();
        assertThat(list().active()).isEmpty();
    }

    @Test
    void activeListsWhatCountsSoonestToEndFirst() {
        Revocation later = revocation("rv-2", Revocation.Kind.USER, "alice", Duration.ofHours(2));
        Revocation sooner = revocation("rv-1", Revocation.Kind.JTI, "jti-1", Duration.ofHours(1));
        list().add(later);
        list().add(sooner);

        assertThat(list().active()).containsExactly(sooner, later);
    }

    @Test
    void removingLiftsARevocationAndReportsWhetherItCounted() {
        list().add(revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofHours(1)));

        assertThat(list().remove("rv-1")).isTrue();
        assertThat(list().isRevoked("alice", null)).isFalse();
        assertThat(list().remove("rv-1")).isFalse();
        assertThat(list().remove("rv-unknown")).isFalse();
    }

    @Test
    void twoRevocationsOfOneUserCountUntilTheLaterEnds() {
        list().add(revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofHours(1)));
        list().add(revocation("rv-2", Revocation.Kind.USER, "alice", Duration.ofHours(2)));

        list().remove("rv-2");
        assertThat(list().isRevoked("alice", null)).isTrue();
        list().remove("rv-1");
        assertThat(list().isRevoked("alice", null)).isFalse();
    }

    @Test
    void listenersHearEveryRevocationMade() {
        List<Revocation> heard = new CopyOnWriteArrayList<>();
        list().onRevoked(heard::add);
        Revocation made = revocation("rv-1", Revocation.Kind.USER, "alice", Duration.ofHours(1));

        list().add(made);

        await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains(made));
    }

    @Test
    void timesKeepMillisecondPrecision() {
        Instant until = clock.instant().plusMillis(1234);
        list().add(new Revocation("rv-1", Revocation.Kind.USER, "alice", until, clock.instant()));

        assertThat(list().active()).singleElement().extracting(Revocation::until).isEqualTo(until);
    }

    @Test
    void addingMoreThanTheMaximumIsRefused() {
        RevocationList full = fullList();
        assertThatThrownBy(() -> full.add(revocation("rv-over", Revocation.Kind.USER, "x", Duration.ofHours(1))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void expiredRevocationsMakeRoom() {
        fullList();
        clock.advance(Duration.ofHours(1));

        list().add(revocation("rv-new", Revocation.Kind.USER, "x", Duration.ofHours(1)));

        assertThat(list().active()).extracting(Revocation::id).containsExactly("rv-new");
    }

    /** A list holding {@link #CAPACITY} revocations that end in an hour. */
    protected RevocationList fullList() {
        for (int i = 0; i < CAPACITY; i++) {
            list().add(revocation("rv-" + i, Revocation.Kind.USER, "user-" + i, Duration.ofHours(1)));
        }
        return list();
    }
}
