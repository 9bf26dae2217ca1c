package dev.switchboard.session;

import static dev.switchboard.session.SessionHarness.USER;
import static dev.switchboard.session.SessionHarness.connectFrame;
import static dev.switchboard.session.SessionHarness.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Token refresh on STOMP (a SEND to {@code /sys/refresh}), the {@code /sys/token} notices and the
 * token's expiry, with the real broker, outbound queue and scheduler (see {@link SessionHarness}).
 */
class StompSessionRefreshTest {

    private final SessionHarness harness = new SessionHarness();
    private final RecordingSink sink = new RecordingSink();

    @AfterEach
    void shutDown() throws Exception {
        harness.close();
    }

    @Test
    void aSendToSysRefreshWithATokenHeaderIsAnsweredByAReceiptWithTheNewExp() {
        StompSession session = connect(identityUntil(Duration.ofHours(1), "jti-1"));
        Instant newExp = harness.clock.instant().plus(Duration.ofHours(2));
        authenticateAs(USER, newExp, "jti-2");

        session.onMessage(frame("SEND\ndestination:/sys/refresh\ntoken:new-token\nreceipt:r-1\n\n\0"));

        assertThat(sink.frames()).last().asString()
                .startsWith("RECEIPT\n").contains("receipt-id:r-1\n").contains("exp:" + newExp.getEpochSecond() + "\n");
        assertThat(session.tokenId()).isEqualTo("jti-2");
        assertThat(sink.closes()).isEmpty();
        session.ended();
        assertThat(harness.liveTimers()).as("timers left after the session ended").isZero();
    }

    @Test
    void aBearerAuthorizationHeaderCarriesTheTokenToo() {
        StompSession session = connect(identityUntil(Duration.ofHours(1), "jti-1"));
        String[] presented = new String[1];
        Instant newExp = harness.clock.instant().plus(Duration.ofHours(2));
        harness.authenticator.set((token, channelId) -> {
            presented[0] = token;
            return new ClientAuthenticator.Result.Authenticated(
                    new ClientIdentity(USER, Set.of(), channelId, newExp.plus(ClientIdentity.TOKEN_CLOCK_SKEW), "jti-2"));
        });

        session.onMessage(frame("SEND\ndestination:/sys/refresh\nAuthorization:Bearer bearer-token\n\n\0"));

        assertThat(presented[0]).isEqualTo("bearer-token");
        assertThat(session.tokenId()).isEqualTo("jti-2");
        assertThat(sink.stompCommands()).containsExactly("CONNECTED");
        session.ended();
    }

    @Test
    void aRefusedRefreshIsAnErrorAndACloseWith1008() {
        StompSession session = connect(identityUntil(Duration.ofHours(1), "jti-1"));
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Refused("token revoked"));

        session.onMessage(frame("SEND\ndestination:/sys/refresh\ntoken:revoked-token\nreceipt:r-1\n\n\0"));

        assertThat(sink.stompCommands()).containsExactly("CONNECTED", "ERROR");
        assertThat(sink.frames()).last().asString().contains("message:forbidden\n").contains("receipt-id:r-1\n")
                .contains("token revoked");
        assertThat(sink.closes()).containsExactly(CloseCode.POLICY_VIOLATION);
    }

    @Test
    void aRefreshThatWouldNotAllowAnExistingSubscriptionIsRefused() {
        StompSession session = connect(new ClientIdentity(USER, Set.of("desk"), "ch-1",
                harness.clock.instant().plus(Duration.ofHours(1)), "jti-1"));
        harness.subscribeRule.set((client, topic) -> !topic.startsWith("desk.") || client.hasRole("desk"));
        session.onMessage(frame("SUBSCRIBE\nid:s-1\ndestination:/topic/desk.orders\n\n\0"));
        authenticateAs(USER, harness.clock.instant().plus(Duration.ofHours(2)), "jti-2");

        session.onMessage(frame("SEND\ndestination:/sys/refresh\ntoken:token-without-the-desk-role\n\n\0"));

        assertThat(sink.frames()).last().asString().startsWith("ERROR\n").contains("message:forbidden\n")
                .contains("/topic/desk.orders");
        assertThat(session.tokenId()).isEqualTo("jti-1");
        assertThat(sink.closes()).containsExactly(CloseCode.POLICY_VIOLATION);
    }

    @Test
    void aTokenOfAnotherUserIsRefused() {
        StompSession session = connect(identityUntil(Duration.ofHours(1), "jti-1"));
        authenticateAs("mallory", harness.clock.instant().plus(Duration.ofHours(2)), "jti-m");

        session.onMessage(frame("SEND\ndestination:/sys/refresh\ntoken:mallorys-token\n\n\0"));

        assertThat(sink.frames()).last().asString().startsWith("ERROR\n").contains("another user");
        assertThat(session.user()).isEqualTo(USER);
    }

    @Test
    void aSysTokenSubscriptionMadeWithinTheNoticeGetsTheExpiringMessageAtOnce() {
        ClientIdentity identity = identityUntil(SessionHarness.EXPIRING_NOTICE.minusSeconds(10), "jti-1");
        StompSession session = connect(identity);
        long exp = identity.tokenExpiresAt().getEpochSecond();

        session.onMessage(frame("SUBSCRIBE\nid:tok\ndestination:/sys/token\n\n\0"));

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.stompCommands().contains("MESSAGE"));
        assertThat(sink.frames()).filteredOn(f -> f.startsWith("MESSAGE\n")).first().asString()
                .contains("destination:/sys/token\n").contains("subscription:tok\n").contains("exp:" + exp + "\n")
                .endsWith("{\"type\":\"expiring\",\"exp\":" + exp + "}\0");
        session.ended();
    }

    @Test
    void anExpiredTokenEndsTheSessionWithErrorTokenExpired() {
        connect(identityUntil(Duration.ofSeconds(-29), "jti-1"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !sink.closes().isEmpty());

        assertThat(sink.closes()).containsExactly(CloseCode.TOKEN_EXPIRED);
        assertThat(sink.frames()).last().asString().startsWith("ERROR\n").contains("message:token expired\n");
    }

    private StompSession connect(ClientIdentity identity) {
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(identity));
        StompSession session = harness.stomp.newSession(sink, null, null);
        session.onMessage(connectFrame("ch-1"));
        assertThat(sink.stompCommands()).containsExactly("CONNECTED");
        return session;
    }

    private void authenticateAs(String user, Instant exp, String tokenId) {
        harness.authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(
                new ClientIdentity(user, Set.of(), channelId, exp.plus(ClientIdentity.TOKEN_CLOCK_SKEW), tokenId)));
    }

    /** Alice on ch-1 with a token whose exp is {@code left} from now (valid for the skew longer). */
    private ClientIdentity identityUntil(Duration left, String tokenId) {
        return new ClientIdentity(USER, Set.of(), "ch-1",
                harness.clock.instant().plus(left).plus(ClientIdentity.TOKEN_CLOCK_SKEW), tokenId);
    }
}
