package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.InMemoryRevocationList;
import dev.switchboard.broker.InMemoryTicketStore;
import dev.switchboard.broker.Revocation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TicketsTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryRevocationList revocations = new InMemoryRevocationList(clock);
    private final TokenVerifier verifier = new TokenVerifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null,
            null, clock, Duration.ofHours(24), revocations);
    private final Tickets tickets = new Tickets(new InMemoryTicketStore(clock, 100), verifier, clock);

    private VerifiedToken token(Duration lasting) {
        return new VerifiedToken("alice", Set.of("publisher"), List.of("desk|*"), clock.instant().plus(lasting),
                "0123456789ab", "jti-1");
    }

    @Test
    void aTicketStandsForItsTokenOnce() throws Exception {
        VerifiedToken token = token(Duration.ofHours(1));
        Tickets.Issued issued = tickets.issue(token).orElseThrow();

        assertThat(issued.expiresIn()).isEqualTo(Tickets.TTL);
        assertThat(tickets.redeem(issued.ticket())).isEqualTo(token);
        assertThatThrownBy(() -> tickets.redeem(issued.ticket())).isInstanceOf(TokenRejectedException.class)
                .hasMessage(Tickets.REFUSED);
    }

    @Test
    void ticketsAre256RandomBitsUrlSafe() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String ticket = tickets.issue(token(Duration.ofHours(1))).orElseThrow().ticket();
            assertThat(ticket).hasSize(43).matches("[A-Za-z0-9_-]+");
            seen.add(ticket);
        }
        assertThat(seen).hasSize(50);
    }

    @Test
    void inspectingLeavesTheTicketForItsOneUse() throws Exception {
        String ticket = tickets.issue(token(Duration.ofHours(1))).orElseThrow().ticket();

        assertThat(tickets.inspect(ticket).subject()).isEqualTo("alice");
        assertThat(tickets.redeem(ticket).subject()).isEqualTo("alice");
    }

    @Test
    void aTicketExpiresAfterThirtySeconds() {
        String ticket = tickets.issue(token(Duration.ofHours(1))).orElseThrow().ticket();

        clock.advance(Tickets.TTL);

        assertThatThrownBy(() -> tickets.redeem(ticket)).hasMessage(Tickets.REFUSED);
    }

    @Test
    void aTicketLivesNoLongerThanItsToken() {
        // exp 10 s ahead: the token counts 10 s plus the 30 s skew.
        Tickets.Issued issued = tickets.issue(token(Duration.ofSeconds(-25))).orElseThrow();

        assertThat(issued.expiresIn()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aRevokedUsersTicketIsRefused() {
        String ticket = tickets.issue(token(Duration.ofHours(1))).orElseThrow().ticket();
        revocations.add(new Revocation("rv-1", Revocation.Kind.USER, "alice", clock.instant().plusSeconds(60),
                clock.instant()));

        assertThatThrownBy(() -> tickets.redeem(ticket)).hasMessage(TokenVerifier.REVOKED);
    }

    @Test
    void somethingThatIsNotATicketIsRefusedWithoutLookingItUp() {
        assertThatThrownBy(() -> tickets.redeem("short")).hasMessage(Tickets.REFUSED);
        assertThatThrownBy(() -> tickets.redeem("a".repeat(42) + "}")).hasMessage(Tickets.REFUSED);
        assertThatThrownBy(() -> tickets.redeem(null)).hasMessage(Tickets.REFUSED);
    }

    @Test
    void theEncodingKeepsEveryClaimTheHandshakeUses() {
        VerifiedToken withoutChannels = new VerifiedToken("bob", Set.of(), null, Instant.ofEpochMilli(1234567),
                "fp", null);
        assertThat(Tickets.decode(Tickets.encode(withoutChannels))).isEqualTo(withoutChannels);
        assertThat(Tickets.decode(Tickets.encode(token(Duration.ofHours(1))))).isEqualTo(token(Duration.ofHours(1)));
        VerifiedToken withClaims = new VerifiedToken("carol", Set.of("agent"), List.of("a|*"), Instant.ofEpochMilli(99),
                "fp", "j", java.util.Map.of("team", List.of("blue"), "groups", List.of("x", "y")));
        assertThat(Tickets.decode(Tickets.encode(withClaims))).isEqualTo(withClaims);
    }
}
