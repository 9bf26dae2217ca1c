package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.MutableClock;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.TestBrokers;
import dev.switchboard.broker.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeGuardTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    private static final String ADDRESS = "192.0.2.10";
    private static final String HOST = "push.example.com";

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryChannelRegistry channels = new InMemoryChannelRegistry(clock, Duration.ofSeconds(30));
    private final Broker broker = TestBrokers.singleNode(channels, clock);
    private final TokenVerifier verifier =
            new TokenVerifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, null, clock);

    private HandshakeGuard guard(ChannelPolicy policy) {
        return guard(new HandshakeRateLimiter(0, 1, clock), policy);
    }

    private final java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean(true);

    private HandshakeGuard guard(HandshakeRateLimiter limiter, ChannelPolicy policy) {
        return new HandshakeGuard(limiter, new OriginPolicy(List.of()), verifier, broker, policy, accepting::get);
    }

    @Test
    void whileTheNodeDrainsEveryHandshakeIs503AndReservesNothing() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        accepting.set(false);

        HandshakeDecision decision = guard.check(request(token("alice"), "agent-42"));

        assertThat(decision).isEqualTo(new HandshakeDecision.Refuse(503, "unavailable", "the server is shutting down"));
        assertThat(channels.holder("agent-42")).isEmpty();
        accepting.set(true);
        assertThat(guard.check(request(token("alice"), "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void validRequestIsPermittedWithTheTokensIdentityAndAReservation() {
        HandshakeDecision decision = guard(ChannelPolicy.REJECT).check(request(token("alice"), "agent-42"));

        assertThat(decision).isInstanceOfSatisfying(HandshakeDecision.Permit.class, permit -> {
            AuthorizedClient client = permit.client();
            assertThat(client.getName()).isEqualTo("alice");
            assertThat(client.identity().user()).isEqualTo("alice");
            assertThat(client.identity().channelId()).isEqualTo("agent-42");
            assertThat(client.identity().roles()).containsExactly("publisher");
            assertThat(client.identity().tokenValidUntil())
                    .isEqualTo(clock.instant().plusSeconds(300 + TokenVerifier.CLOCK_SKEW_SECONDS));
            assertThat(client.reservation()).isNotNull();
            assertThat(client.reservation().channelId()).isEqualTo("agent-42");
            assertThat(client.reservation().user()).isEqualTo("alice");
            assertThat(client.tokenFingerprint()).hasSize(12);
        });
    }

    @Test
    void exhaustedRateLimitIsRefusedWith429BeforeAnyOtherCheck() {
        HandshakeGuard guard = guard(new HandshakeRateLimiter(1, 1, clock), ChannelPolicy.REJECT);
        guard.check(request(token("alice"), "agent-1"));

        // Everything else about this request is wrong too: the rate limit is checked first.
        HandshakeDecision decision = guard.check(new HandshakeRequest(ADDRESS, "https://evil.example", "https", HOST,
                null, null));

        assertRefused(decision, 429, "rate_limited");
    }

    @Test
    void foreignOriginIsRefusedWith403BeforeParametersAreChecked() {
        HandshakeDecision decision = guard(ChannelPolicy.REJECT).check(new HandshakeRequest(ADDRESS,
                "https://evil.example", "https", HOST, null, null));

        assertRefused(decision, 403, "forbidden");
        assertThat(((HandshakeDecision.Refuse) decision).message()).contains("origin");
    }

    @Test
    void missingChannelIdIsRefusedWith400BeforeTheTokenIsChecked() {
        assertRefused(guard(ChannelPolicy.REJECT).check(request("garbage", null)), 400, "bad_request");
        assertRefused(guard(ChannelPolicy.REJECT).check(request("garbage", "")), 400, "bad_request");
    }

    @Test
    void malformedChannelIdIsRefusedWith400() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);

        assertRefused(guard.check(request(token("alice"), "agent 42")), 400, "bad_request");
        assertRefused(guard.check(request(token("alice"), "agent/42")), 400, "bad_request");
        assertRefused(guard.check(request(token("alice"), "a".repeat(129))), 400, "bad_request");
        assertThat(guard.check(request(token("alice"), "a".repeat(128))))
                .isInstanceOf(HandshakeDecision.Permit.class);
        assertThat(guard.check(request(token("alice"), "Az09._:-")))
                .isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void missingTokenIsRefusedWith400() {
        assertRefused(guard(ChannelPolicy.REJECT).check(request(null, "agent-42")), 400, "bad_request");
        assertRefused(guard(ChannelPolicy.REJECT).check(request("", "agent-42")), 400, "bad_request");
    }

    @Test
    void invalidTokenIsRefusedWith401WithoutEchoingTheToken() {
        String forged = token("alice", null, "another-secret-of-at-least-32-bytes!!");

        HandshakeDecision decision = guard(ChannelPolicy.REJECT).check(request(forged, "agent-42"));

        assertRefused(decision, 401, "unauthorized");
        assertThat(((HandshakeDecision.Refuse) decision).message()).doesNotContain(forged);
    }

    @Test
    void expiredTokenIsRefusedWith401() {
        String token = token("alice");
        clock.advance(Duration.ofSeconds(300 + TokenVerifier.CLOCK_SKEW_SECONDS + 1));

        assertRefused(guard(ChannelPolicy.REJECT).check(request(token, "agent-42")), 401, "unauthorized");
    }

    @Test
    void channelOutsideTheTokensChannelsClaimIsRefusedWith403() {
        String token = token("alice", List.of("desk-*"));
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);

        assertRefused(guard.check(request(token, "agent-42")), 403, "forbidden");
        assertThat(guard.check(request(token, "desk-7"))).isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void forbiddenChannelIsRefusedBeforeTheChannelRuleAndReservesNothing() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        permit(guard.check(request(token("alice"), "agent-42")));

        assertRefused(guard.check(request(token("bob", List.of("desk-*")), "agent-42")), 403, "forbidden");
    }

    @Test
    void secondCheckOnAReservedChannelIsRefusedWith409UnderReject() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        permit(guard.check(request(token("alice"), "agent-42")));

        HandshakeDecision second = guard.check(request(token("bob"), "agent-42"));

        assertRefused(second, 409, "conflict");
    }

    @Test
    void secondCheckOnAnOpenChannelIsRefusedWith409UnderReject() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        AuthorizedClient first = permit(guard.check(request(token("alice"), "agent-42")));
        assertThat(broker.open(new Session("s1", "alice", "agent-42"), first.reservation())).isTrue();

        assertRefused(guard.check(request(token("alice"), "agent-42")), 409, "conflict");
    }

    @Test
    void secondCheckWinsUnderReplaceAndSupersedesTheFirstReservation() {
        HandshakeGuard guard = guard(ChannelPolicy.REPLACE);
        AuthorizedClient first = permit(guard.check(request(token("alice"), "agent-42")));

        AuthorizedClient second = permit(guard.check(request(token("alice"), "agent-42")));

        assertThat(broker.open(new Session("s1", "alice", "agent-42"), first.reservation())).isFalse();
        assertThat(broker.open(new Session("s2", "alice", "agent-42"), second.reservation())).isTrue();
    }

    @Test
    void probeChecksLikeCheckButReservesNothing() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);

        HandshakeDecision probe = guard.probe(request(token("alice"), "agent-42"));

        assertThat(probe).isInstanceOfSatisfying(HandshakeDecision.Permit.class,
                permit -> assertThat(permit.client().reservation()).isNull());
        assertThat(guard.check(request(token("bob"), "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void probeAppliesTheSameRefusals() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);

        assertRefused(guard.probe(request(null, "agent-42")), 400, "bad_request");
        assertRefused(guard.probe(request("garbage", "agent-42")), 401, "unauthorized");
        assertRefused(guard.probe(request(token("alice", List.of("desk-*")), "agent-42")), 403, "forbidden");
    }

    @Test
    void probeReportsConflictForAnOpenChannelUnderReject() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        AuthorizedClient first = permit(guard.check(request(token("alice"), "agent-42")));
        broker.open(new Session("s1", "alice", "agent-42"), first.reservation());

        assertRefused(guard.probe(request(token("bob"), "agent-42")), 409, "conflict");
    }

    @Test
    void probePermitsAnOpenChannelUnderReplace() {
        HandshakeGuard guard = guard(ChannelPolicy.REPLACE);
        AuthorizedClient first = permit(guard.check(request(token("alice"), "agent-42")));
        Session open = new Session("s1", "alice", "agent-42");
        broker.open(open, first.reservation());

        assertThat(guard.probe(request(token("bob"), "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
        assertThat(open.disconnects).as("a probe replaces no one").isEmpty();
    }

    @Test
    void releaseFreesTheReservedChannel() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        AuthorizedClient first = permit(guard.check(request(token("alice"), "agent-42")));

        guard.release(first);

        assertThat(guard.check(request(token("bob"), "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void releaseOfAProbedClientIsHarmless() {
        HandshakeGuard guard = guard(ChannelPolicy.REJECT);
        AuthorizedClient held = permit(guard.check(request(token("alice"), "agent-42")));
        AuthorizedClient probed = permit(guard(ChannelPolicy.REJECT).probe(request(token("bob"), "agent-9")));

        guard.release(probed);

        assertRefused(guard.check(request(token("bob"), held.identity().channelId())), 409, "conflict");
    }

    // --- tickets ---

    private final Tickets tickets = new Tickets(new dev.switchboard.broker.InMemoryTicketStore(clock, 100), verifier,
            clock);

    private HandshakeGuard ticketGuard() {
        return new HandshakeGuard(new HandshakeRateLimiter(0, 1, clock), new OriginPolicy(List.of()), verifier, broker,
                ChannelPolicy.REJECT, accepting::get, SessionAdmission.UNLIMITED, new dev.switchboard.broker.LimitRefusals(), tickets);
    }

    private String ticket(String subject) throws TokenRejectedException {
        return tickets.issue(verifier.verify(token(subject))).orElseThrow().ticket();
    }

    private static HandshakeRequest ticketRequest(String ticket, String channelId) {
        return new HandshakeRequest(ADDRESS, null, "https", HOST, null, channelId, ticket);
    }

    @Test
    void aTicketStandsInForTheTokenOnceAndAProbeDoesNotUseItUp() throws Exception {
        HandshakeGuard guard = ticketGuard();
        String ticket = ticket("alice");

        assertThat(guard.probe(ticketRequest(ticket, "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
        AuthorizedClient client = permit(guard.check(ticketRequest(ticket, "agent-42")));

        assertThat(client.identity().user()).isEqualTo("alice");
        assertThat(client.reservation().channelId()).isEqualTo("agent-42");
        assertRefused(guard.check(ticketRequest(ticket, "agent-43")), 401, "unauthorized");
    }

    @Test
    void aTicketAndATokenTogetherAreABadRequestAndUseNothingUp() throws Exception {
        HandshakeGuard guard = ticketGuard();
        String ticket = ticket("alice");

        assertRefused(guard.check(new HandshakeRequest(ADDRESS, null, "https", HOST, token("alice"), "agent-42", ticket)),
                400, "bad_request");
        assertThat(guard.check(ticketRequest(ticket, "agent-42"))).isInstanceOf(HandshakeDecision.Permit.class);
    }

    @Test
    void withoutTicketsATicketIsABadRequest() throws Exception {
        assertRefused(guard(ChannelPolicy.REJECT).check(ticketRequest(ticket("alice"), "agent-42")), 400, "bad_request");
    }

    @Test
    void aStompTicketIsTakenAtTheHandshake() throws Exception {
        HandshakeGuard guard = ticketGuard();
        String ticket = ticket("bob");
        HandshakeRequest request = ticketRequest(ticket, null);

        assertThat(guard.stompTicket(request)).get().isInstanceOfSatisfying(HandshakeGuard.StompTicket.Admitted.class,
                admitted -> assertThat(admitted.client().getName()).isEqualTo("bob"));
        assertThat(guard.stompTicket(request)).get().isInstanceOf(HandshakeGuard.StompTicket.Refused.class);
        assertThat(guard.stompTicket(new HandshakeRequest(ADDRESS, null, "https", HOST, null, null))).isEmpty();
    }

    // --- helpers ---

    private static HandshakeRequest request(String token, String channelId) {
        return new HandshakeRequest(ADDRESS, null, "https", HOST, token, channelId);
    }

    private String token(String subject) {
        return token(subject, null);
    }

    private String token(String subject, List<String> channelPatterns) {
        return token(subject, channelPatterns, SECRET);
    }

    private String token(String subject, List<String> channelPatterns, String secret) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .expirationTime(Date.from(clock.instant().plusSeconds(300))).claim("roles", List.of("publisher"));
        if (channelPatterns != null) {
            claims.claim("channels", channelPatterns);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static void assertRefused(HandshakeDecision decision, int status, String error) {
        assertThat(decision).isInstanceOfSatisfying(HandshakeDecision.Refuse.class, refuse -> {
            assertThat(refuse.status()).isEqualTo(status);
            assertThat(refuse.error()).isEqualTo(error);
            assertThat(refuse.message()).isNotBlank();
        });
    }

    private static AuthorizedClient permit(HandshakeDecision decision) {
        assertThat(decision).isInstanceOf(HandshakeDecision.Permit.class);
        return ((HandshakeDecision.Permit) decision).client();
    }

    /** A session that only records what the registry tells it. */
    private static final class Session implements Subscriber {
        private final String id;
        private final String user;
        private final String channelId;
        final List<CloseCode> disconnects = new java.util.concurrent.CopyOnWriteArrayList<>();

        Session(String id, String user, String channelId) {
            this.id = id;
            this.user = user;
            this.channelId = channelId;
        }

        @Override public String sessionId() { return id; }
        @Override public String user() { return user; }
        @Override public String channelId() { return channelId; }
        @Override public String protocol() { return "native"; }
        @Override public Instant openedAt() { return Instant.EPOCH; }
        @Override public void deliver(Delivery delivery) { }
        @Override public void disconnect(CloseCode reason) { disconnects.add(reason); }
    }
}
