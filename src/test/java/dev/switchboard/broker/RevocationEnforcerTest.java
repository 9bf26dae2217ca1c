package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RevocationEnforcerTest {

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemorySessionRegistry sessions = new InMemorySessionRegistry();
    private final InMemoryRevocationList revocations = new InMemoryRevocationList(clock);
    private final RevocationEnforcer enforcer = new RevocationEnforcer(sessions, revocations);

    /** A session with a token id that records its disconnects. */
    private static final class Session implements Subscriber {
        final String id;
        final String user;
        final String tokenId;
        final List<CloseCode> closed = new CopyOnWriteArrayList<>();

        Session(String id, String user, String tokenId) {
            this.id = id;
            this.user = user;
            this.tokenId = tokenId;
        }

        @Override public String sessionId() { return id; }
        @Override public String user() { return user; }
        @Override public String tokenId() { return tokenId; }
        @Override public String channelId() { return null; }
        @Override public String protocol() { return "test"; }
        @Override public Instant openedAt() { return Instant.EPOCH; }
        @Override public void deliver(Delivery delivery) { }
        @Override public void disconnect(CloseCode reason) { closed.add(reason); }
    }

    private Session open(String id, String user, String tokenId) {
        Session session = new Session(id, user, tokenId);
        sessions.add(session);
        return session;
    }

    private Revocation revocation(Revocation.Kind kind, String value) {
        return new Revocation("rv-" + value, kind, value, clock.instant().plus(Duration.ofHours(1)), clock.instant());
    }

    @Test
    void aUserRevocationClosesEverySessionOfThatUserWithRevoked() {
        Session phone = open("s1", "alice", "jti-1");
        Session laptop = open("s2", "alice", null);
        Session bob = open("s3", "bob", "jti-3");
        revocations.onRevoked(enforcer::enforce);

        revocations.add(revocation(Revocation.Kind.USER, "alice"));

        assertThat(phone.closed).containsExactly(CloseCode.REVOKED);
        assertThat(laptop.closed).containsExactly(CloseCode.REVOKED);
        assertThat(bob.closed).isEmpty();
    }

    @Test
    void aTokenRevocationClosesTheSessionsOfThatTokenOnly() {
        Session first = open("s1", "alice", "jti-1");
        Session second = open("s2", "alice", "jti-2");
        Session noJti = open("s3", "alice", null);

        assertThat(enforcer.enforce(revocation(Revocation.Kind.JTI, "jti-1"))).isEqualTo(1);

        assertThat(first.closed).containsExactly(CloseCode.REVOKED);
        assertThat(second.closed).isEmpty();
        assertThat(noJti.closed).isEmpty();
    }

    @Test
    void theSweepClosesASessionThatOpenedAfterTheAnnouncement() {
        revocations.add(revocation(Revocation.Kind.USER, "alice"));
        Session late = open("s1", "alice", null);
        Session other = open("s2", "bob", null);

        assertThat(enforcer.sweep()).isEqualTo(1);

        assertThat(late.closed).containsExactly(CloseCode.REVOKED);
        assertThat(other.closed).isEmpty();
    }
}
