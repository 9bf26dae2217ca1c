package dev.switchboard.session;

import static dev.switchboard.session.SessionHarness.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The native {@code refresh} frame and the token timers of a {@link NativeSession}, with the real
 * broker, outbound queue and scheduler (see {@link SessionHarness}); the authenticator stands in
 * for token verification.
 */
class NativeSessionRefreshTest {

    private final SessionHarness harness = new SessionHarness();
    private final RecordingSink sink = new RecordingSink();

    @AfterEach
    void shutDown() throws Exception {
        harness.close();
    }

    @Test
    void anAcceptedRefreshAnswersRefreshedWithTheNewExpAndTheSessionTakesTheNewIdentity() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));
        Instant newExp = harness.clock.instant().plus(Duration.ofHours(2));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(
                new ClientIdentity(USER, Set.of("publisher"), channelId, newExp.plus(ClientIdentity.TOKEN_CLOCK_SKEW),
                        "jti-2")));

        refresh(session, "new-token");

        assertThat(sink.frames()).last().asString()
                .isEqualTo("{\"type\":\"refreshed\",\"exp\":" + newExp.getEpochSecond() + "}");
        assertThat(session.tokenId()).isEqualTo("jti-2");
        assertThat(sink.closes()).isEmpty();
        session.ended();
        assertThat(harness.liveTimers()).as("timers left after the session ended").isZero();
    }

    @Test
    void aRefusedTokenIsAnErrorForbiddenAndTheSessionKeepsItsTokenAndStaysOpen() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Refused("token expired"));

        refresh(session, "expired-token");

        assertThat(sink.frames()).last().asString().isEqualTo(
                "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"token expired\",\"ref\":{\"type\":\"refresh\"}}");
        assertThat(session.tokenId()).isEqualTo("jti-1");
        assertThat(sink.closes()).isEmpty();
        session.ended();
    }

    @Test
    void aTokenOfAnotherUserIsForbidden() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(
                new ClientIdentity("mallory", Set.of(), channelId, harness.clock.instant().plus(Duration.ofHours(2)),
                        "jti-m")));

        refresh(session, "mallorys-token");

        assertThat(sink.frames()).last().asString().contains("\"code\":\"forbidden\"")
                .contains("another user").contains("\"ref\":{\"type\":\"refresh\"}");
        assertThat(session.tokenId()).isEqualTo("jti-1");
        assertThat(session.user()).isEqualTo(USER);
        session.ended();
    }

    @Test
    void theRefreshChecksTheNewTokenAgainstTheSessionsChannel() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));
        String[] checkedChannel = new String[1];
        harness.authenticator.set((token, channelId) -> {
            checkedChannel[0] = channelId;
            return new ClientAuthenticator.Result.Refused("the token does not permit this channel");
        });

        refresh(session, "token-for-another-channel");

        assertThat(checkedChannel[0]).isEqualTo("ch-1");
        assertThat(sink.frames()).last().asString().contains("\"code\":\"forbidden\"")
                .contains("does not permit this channel");
        session.ended();
    }

    @Test
    void aSubscriptionTheNewTokenWouldNotBeGrantedEndsWithAnErrorForbidden() {
        NativeSession session = open(new ClientIdentity(USER, Set.of("desk"), "ch-1",
                harness.clock.instant().plus(Duration.ofHours(1)), "jti-1"));
        harness.subscribeRule.set((client, topic) -> !topic.startsWith("desk.") || client.hasRole("desk"));
        session.onFrame(harness.nativeProtocol.codec().decodeClientFrame("{\"type\":\"subscribe\",\"topic\":\"desk.orders\"}"));
        session.onFrame(harness.nativeProtocol.codec().decodeClientFrame("{\"type\":\"subscribe\",\"topic\":\"news\"}"));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(
                new ClientIdentity(USER, Set.of(), channelId, harness.clock.instant().plus(Duration.ofHours(2)), "jti-2")));

        refresh(session, "token-without-the-desk-role");

        assertThat(sink.frames()).filteredOn(frame -> frame.contains("\"type\":\"error\"")).singleElement().asString()
                .contains("\"code\":\"forbidden\"").contains("\"ref\":{\"topic\":\"desk.orders\",\"type\":\"subscribe\"}");
        assertThat(sink.frames()).last().asString().contains("\"type\":\"refreshed\"");
        assertThat(harness.broker.presence("desk.orders")).as("users subscribed to desk.orders").isEmpty();
        assertThat(harness.broker.presence("news")).as("users subscribed to news").isNotEmpty();
        session.ended();
    }

    @Test
    void aRefreshWithoutTokenIsABadRequest() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));

        session.onFrame(harness.nativeProtocol.codec().decodeClientFrame("{\"type\":\"refresh\"}"));

        assertThat(sink.frames()).last().asString().contains("\"code\":\"bad_request\"")
                .contains("\"ref\":{\"type\":\"refresh\"}");
        session.ended();
    }

    @Test
    void aTokenAlreadyWithinTheNoticeGetsExpiringRightAfterWelcome() {
        Duration left = SessionHarness.EXPIRING_NOTICE.minusSeconds(10);
        ClientIdentity identity = identityUntil(left, "jti-1");

        open(identity);

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames().size() >= 2);
        assertThat(sink.frames().get(0)).contains("\"type\":\"welcome\"");
        assertThat(sink.frames().get(1))
                .isEqualTo("{\"type\":\"expiring\",\"exp\":" + identity.tokenExpiresAt().getEpochSecond() + "}");
    }

    @Test
    void aTokenPastItsValidityClosesTheSessionWithTokenExpired() {
        // exp 29 s ago: within the 30 s skew for one more second.
        ClientIdentity identity = identityUntil(Duration.ofSeconds(-29), "jti-1");
        open(identity);

        await().atMost(Duration.ofSeconds(5)).until(() -> !sink.closes().isEmpty());

        assertThat(sink.closes()).containsExactly(CloseCode.TOKEN_EXPIRED);
        assertThat(sink.frames()).anySatisfy(frame -> assertThat(frame).contains("\"type\":\"expiring\""));
    }

    @Test
    void aRefreshReschedulesTheTimersToTheNewToken() {
        NativeSession session = open(identityUntil(Duration.ofHours(1), "jti-1"));
        Instant newExp = harness.clock.instant().plus(Duration.ofHours(5));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(
                new ClientIdentity(USER, Set.of(), channelId, newExp.plus(ClientIdentity.TOKEN_CLOCK_SKEW), "jti-2")));

        refresh(session, "new-token");

        // Left on the scheduler: the liveness ping (10 min) and the new token's two timers (notice, expiry).
        List<Long> minutesToGo = harness.scheduler.getQueue().stream()
                .map(timer -> ((Delayed) timer).getDelay(TimeUnit.MINUTES)).toList();
        assertThat(minutesToGo).as("minutes until each live timer").hasSize(3)
                .filteredOn(minutes -> minutes >= Duration.ofHours(5).minusMinutes(2).toMinutes()).hasSize(2);
        session.ended();
    }

    private NativeSession open(ClientIdentity identity) {
        NativeSession session = harness.nativeProtocol.newSession(identity, sink);
        assertThat(session.start(claim(identity.channelId()))).isTrue();
        return session;
    }

    private void refresh(NativeSession session, String token) {
        session.onFrame(harness.nativeProtocol.codec()
                .decodeClientFrame("{\"type\":\"refresh\",\"token\":\"" + token + "\"}"));
    }

    /** Alice on ch-1 with a token whose exp is {@code left} from now (valid for the skew longer). */
    private ClientIdentity identityUntil(Duration left, String tokenId) {
        return new ClientIdentity(USER, Set.of(), "ch-1",
                harness.clock.instant().plus(left).plus(ClientIdentity.TOKEN_CLOCK_SKEW), tokenId);
    }

    private ChannelReservation claim(String channelId) {
        return ((ChannelClaim.Granted) harness.broker.claimChannel(channelId, USER, ChannelPolicy.REPLACE)).reservation();
    }
}
