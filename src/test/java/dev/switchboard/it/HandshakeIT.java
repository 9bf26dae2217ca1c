package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every row of the handshake table of docs/protocol.md, seen by a real client (Tyrus: the status)
 * and by a hand-written upgrade request (the JSON body). The 429 row has its own server in
 * {@link HandshakeRateLimitIT}.
 */
@ContainerMatrix
class HandshakeIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("handshake", Map.of("allowed.origins", "https://console.example.com"));

    @Test
    void validTokenAndChannelOpenASessionThatIsWelcomed() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("alice"), "hs-welcome")) {
            JsonObject welcome = client.expect("welcome");
            assertThat(welcome.getString("channelId")).isEqualTo("hs-welcome");
            assertThat(welcome.getString("user")).isEqualTo("alice");
            assertThat(welcome.getString("sessionId")).isNotBlank();
            assertThat(welcome.getJsonNumber("heartbeatMs").longValue()).isEqualTo(25_000);
        }
    }

    @Test
    void missingChannelIdIs400() throws Exception {
        assertRefused(ChannelClient.channelUri(server, TestTokens.token("alice"), null), null, 400, "bad_request");
    }

    @Test
    void malformedChannelIdIs400() throws Exception {
        assertRefused(ChannelClient.channelUri(server, TestTokens.token("alice"), "no spaces/or slashes"), null, 400,
                "bad_request");
        assertRefused(ChannelClient.channelUri(server, TestTokens.token("alice"), "x".repeat(129)), null, 400,
                "bad_request");
    }

    @Test
    void missingTokenIs400() throws Exception {
        assertRefused(ChannelClient.channelUri(server, null, "hs-no-token"), null, 400, "bad_request");
    }

    @Test
    void garbageTokenIs401() throws Exception {
        assertRefused(ChannelClient.channelUri(server, "not-a-jwt", "hs-garbage"), null, 401, "unauthorized");
    }

    @Test
    void expiredTokenIs401() throws Exception {
        assertRefused(ChannelClient.channelUri(server, TestTokens.expiredToken("alice"), "hs-expired"), null, 401,
                "unauthorized");
    }

    @Test
    void tokenSignedWithAnotherSecretIs401() throws Exception {
        String forged = TestTokens.tokenSignedWith("some-other-secret-that-is-long-enough-0123456789", "alice");
        assertRefused(ChannelClient.channelUri(server, forged, "hs-forged"), null, 401, "unauthorized");
    }

    @Test
    void foreignOriginIs403() throws Exception {
        assertRefused(ChannelClient.channelUri(server, TestTokens.token("alice"), "hs-origin"),
                "https://evil.example.net", 403, "forbidden");
    }

    @Test
    void configuredOriginIsAccepted() throws Exception {
        try (ChannelClient client = ChannelClient.connect(
                ChannelClient.channelUri(server, TestTokens.token("alice"), "hs-good-origin"),
                "https://console.example.com")) {
            client.expect("welcome");
        }
    }

    @Test
    void sameOriginAsTheServerIsAccepted() throws Exception {
        try (ChannelClient client = ChannelClient.connect(
                ChannelClient.channelUri(server, TestTokens.token("alice"), "hs-same-origin"),
                "http://127.0.0.1:" + server.port())) {
            client.expect("welcome");
        }
    }

    @Test
    void channelOutsideTheTokensChannelsClaimIs403() throws Exception {
        String token = TestTokens.tokenForChannels("agent", List.of("agent-42", "desk-*"));
        assertRefused(ChannelClient.channelUri(server, token, "agent-43"), null, 403, "forbidden");
        try (ChannelClient desk = ChannelClient.connect(server, token, "desk-7");
                ChannelClient agent = ChannelClient.connect(server, token, "agent-42")) {
            desk.expect("welcome");
            agent.expect("welcome");
        }
    }

    @Test
    void secondSessionOnAnOpenChannelIs409() throws Exception {
        try (ChannelClient first = ChannelClient.connect(server, TestTokens.token("alice"), "hs-busy")) {
            first.expect("welcome");
            assertRefused(ChannelClient.channelUri(server, TestTokens.token("bob"), "hs-busy"), null, 409, "conflict");
            first.send("{\"type\":\"ping\"}");
            assertThat(first.expect("pong")).isNotNull(); // the holder is undisturbed
        }
    }

    private static void assertRefused(URI uri, String origin, int status, String error) throws Exception {
        assertThat(ChannelClient.refusalStatus(uri, origin)).as("status seen by the Tyrus client").isEqualTo(status);
        RawUpgrade.Answer answer = RawUpgrade.send(server, uri, origin);
        assertThat(answer.status()).isEqualTo(status);
        JsonObject body = ChannelClient.JSONB.fromJson(answer.body(), JsonObject.class);
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("message")).isNotBlank();
    }
}
