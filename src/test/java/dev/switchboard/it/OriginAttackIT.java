package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cross-site WebSocket hijacking: a page on another site opens a session with the victim's
 * credentials. Every endpoint that opens a session refuses a foreign {@code Origin} with 403, and
 * forwarded headers that would make the foreign origin look like ours are believed only from a
 * trusted proxy (SWITCHBOARD_TRUSTED_PROXIES; none here, so the test client is untrusted). Through
 * the suite's nginx, nginx itself overwrites {@code X-Forwarded-Host}, so the forgery is refused there too.
 */
@ContainerMatrix
class OriginAttackIT {

    private static final String EVIL = "https://evil.example.net";

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-origin",
            Map.of("allowed.origins", "https://console.example.com"));
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }

    @Test
    void aForeignOriginIs403OnEveryWebSocketEndpoint() throws Exception {
        String token = TestTokens.token("victim");
        Attack.assertRefused(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(token, "xo-native"),
                "Origin", EVIL), 403, "forbidden");
        Attack.assertRefused(Attack.upgrade(server, "/ws/stomp?token=" + Attack.encoded(token), "Origin", EVIL),
                403, "forbidden");
        Attack.assertRefused(Attack.upgrade(server, "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId()
                + "/websocket?" + Attack.channelQuery(token, "xo-sockjs-ws"), "Origin", EVIL), 403, "forbidden");
        Attack.assertRefused(Attack.upgrade(server, "/sockjs/stomp/000/" + SockJsEndpoint.freshSessionId()
                + "/websocket", "Origin", EVIL), 403, "forbidden");
    }

    @Test
    void aForeignOriginIs403OnTheSockJsHttpTransports() throws Exception {
        String token = TestTokens.token("victim");
        for (String transport : new String[] {"xhr", "xhr_streaming"}) {
            Attack.assertRefused(Attack.exchange(server, "POST", "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId()
                    + "/" + transport + "?" + Attack.channelQuery(token, "xo-sockjs-" + transport), "",
                    "Origin", EVIL), 403, "forbidden");
            Attack.assertRefused(Attack.exchange(server, "POST", "/sockjs/stomp/000/" + SockJsEndpoint.freshSessionId()
                    + "/" + transport, "", "Origin", EVIL), 403, "forbidden");
        }
    }

    @Test
    void forwardedHeadersFromAnUntrustedPeerDoNotMakeAForeignOriginOurs() throws Exception {
        String query = "/ws/channel?" + Attack.channelQuery(TestTokens.token("victim"), "xo-forwarded");
        Attack.assertRefused(Attack.upgrade(server, query, "Origin", EVIL,
                "X-Forwarded-Host", "evil.example.net", "X-Forwarded-Proto", "https"), 403, "forbidden");
        Attack.assertRefused(Attack.upgrade(server, query, "Origin", EVIL,
                "Forwarded", "host=evil.example.net;proto=https"), 403, "forbidden");
        Attack.assertRefused(Attack.upgrade(server, "/ws/stomp", "Origin", EVIL,
                "X-Forwarded-Host", "evil.example.net", "X-Forwarded-Proto", "https", "X-Forwarded-For", "10.0.0.1"),
                403, "forbidden");
        // The same request from our own origin opens: the refusals above are the origin's doing.
        assertThat(Attack.upgrade(server, query, "Origin", "http://127.0.0.1:" + server.port(),
                "X-Forwarded-Host", "evil.example.net", "X-Forwarded-Proto", "https").status()).isEqualTo(101);
    }

    @Test
    void anAllowedOriginStillOpens() throws Exception {
        assertThat(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(TestTokens.token("friend"),
                "xo-allowed"), "Origin", "https://console.example.com").status()).isEqualTo(101);
    }
}
