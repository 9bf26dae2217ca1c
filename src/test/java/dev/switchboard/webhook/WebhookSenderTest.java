package dev.switchboard.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.events.SessionOpened;
import dev.switchboard.events.Subscribed;
import dev.switchboard.events.UserOnline;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sender's bounds: a batch given up after the retry time, and what has no webhook form. */
class WebhookSenderTest {

    private final Jsonb jsonb = JsonbBuilder.create();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() throws Exception {
        receiver.stop(0);
        jsonb.close();
    }

    private WebhookSender sender(Duration retryFor) {
        return new WebhookSender(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/"),
                new WebhookSignature("secret"), jsonb, retryFor, 100, 10, Duration.ofMillis(10),
                Duration.ofMillis(20));
    }

    @Test
    void aBatchStillRefusedAfterTheRetryTimeIsDroppedAndTheNextOneGoesOut() {
        status.set(500);
        try (WebhookSender sender = sender(Duration.ZERO)) {
            sender.offer(new UserOnline("alice", "node-1", Instant.EPOCH));
            await().atMost(Duration.ofSeconds(10)).until(() -> sender.dropped() == 1);
            status.set(200);
            sender.offer(new UserOnline("bob", "node-1", Instant.EPOCH));
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.stream().anyMatch(b -> b.contains("bob")));
            assertThat(bodies).hasSize(2);
            assertThat(sender.dropped()).isEqualTo(1);
        }
    }

    @Test
    void subscriptionsAndSessionsWithoutAChannelAreNotWebhookEvents() {
        try (WebhookSender sender = sender(Duration.ofMinutes(1))) {
            sender.offer(new Subscribed("news", "s1", "alice", "node-1", Instant.EPOCH));
            sender.offer(new SessionOpened("s2", "alice", null, "stomp", "node-1", Instant.EPOCH));
            sender.offer(new UserOnline("alice", "node-1", Instant.EPOCH));
            await().atMost(Duration.ofSeconds(10)).until(() -> !bodies.isEmpty());
            assertThat(bodies.get(0)).contains("\"name\":\"user.online\"").doesNotContain("news")
                    .doesNotContain("channel.opened");
        }
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        assertThat(new WebhookSignature("Jefe").sign("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
