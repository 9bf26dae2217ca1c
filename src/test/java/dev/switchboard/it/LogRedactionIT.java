package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No token or ticket in any log line, the embedded container's own included (issue 13: Tomcat
 * logged {@code Invalid character found in the request target [/ws/channel?token=eyJ...]} and
 * {@code Parameter [token] with value [eyJ...]} at INFO). One test on its own server: Tomcat logs
 * only the first request-parsing error and the first parameter error at INFO (later ones at
 * DEBUG), and this test needs those first ones.
 */
class LogRedactionIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("log-redaction", Map.of());

    @Test
    void tokensAndTicketsNeverReachTheLogEvenWhereTheContainerQuotesTheRequest() throws Exception {
        String token = TestTokens.token("leaky");
        String ticket = "Tk" + "Q7".repeat(20);
        // '|' is not allowed raw in a request target: Tomcat refuses and quotes the target.
        RawExchange.Answer invalid = RawExchange.send(server, RawExchange.bytes("GET "
                + server.path("/ws/channel?ticket=" + ticket + "&token=" + token + "&channelId=desk|1")
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assertThat(invalid.status()).isEqualTo(400);
        // A bad %-escape: Tomcat quotes the parameter's value when the handshake check reads it.
        RawExchange.Answer badEscape = RawExchange.send(server, RawExchange.bytes("GET "
                + server.path("/ws/channel?token=" + token + "%zz&channelId=desk-1")
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assertThat(badEscape.status()).isBetween(400, 499);

        // Both lines are there (so this test can fail), with the secrets cut out.
        await("both refusals logged").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.output())
                .contains("Invalid character found in the request target").contains("Parameter [token] with value"));
        String log = server.output();
        assertThat(log).doesNotContain(token.substring(token.lastIndexOf('.') + 1)) // the signature
                .doesNotContain(token.substring(0, token.indexOf('.'))) // nor the header
                .doesNotContain(ticket);
        assertThat(log).contains("ticket=[redacted]").contains("with value [[redacted]]");
    }
}
