package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In-place token refresh by the client, against a {@link FakeContainer}, the test playing the server. */
class SwitchboardClientRefreshTest {

    private final FakeContainer server = new FakeContainer();
    private final LinkedBlockingQueue<Instant> refreshedUntil = new LinkedBlockingQueue<>();
    private SwitchboardClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private FakeContainer.FakeSession connected(Supplier<String> tokens) throws Exception {
        client = SwitchboardClient.builder(URI.create("ws://switchboard.test:8080/"))
                .token(tokens)
                .channelId("agent-42")
                .listener(new SwitchboardListener() {
                    @Override
                    public void onMessage(IncomingMessage message) {
                    }

                    @Override
                    public void onTokenRefreshed(Instant expiresAt) {
                        refreshedUntil.add(expiresAt);
                    }
                })
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.5)
                .containers(server::container)
                .build();
        client.connect();
        FakeContainer.FakeSession session = server.nextSession();
        session.receive("{\"type\":\"welcome\",\"sessionId\":\"s1\",\"channelId\":\"agent-42\",\"user\":\"u\","
                + "\"heartbeatMs\":60000}");
        return session;
    }

    @Test
    void anExpiringTokenIsRefreshedInPlaceWithTheSuppliersNextToken() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        FakeContainer.FakeSession session = connected(() -> "token-" + asked.incrementAndGet());

        session.receive("{\"type\":\"expiring\",\"exp\":1700000000}");

        assertThat(session.nextSent()).isEqualTo("{\"type\":\"refresh\",\"token\":\"token-2\"}");
        session.receive("{\"type\":\"refreshed\",\"exp\":1700003600}");
        assertThat(refreshedUntil.poll(5, TimeUnit.SECONDS)).isEqualTo(Instant.ofEpochSecond(1700003600));
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void aSupplierWithNothingNewSendsNoRefresh() throws Exception {
        FakeContainer.FakeSession session = connected(() -> "the-only-token");

        session.receive("{\"type\":\"expiring\",\"exp\":1700000000}");
        session.receive("{\"type\":\"ping-from-test\"}"); // unreadable: processed after the expiring, sends nothing

        assertThat(session.sent.poll(300, TimeUnit.MILLISECONDS)).as("frame sent after expiring").isNull();
    }
}
