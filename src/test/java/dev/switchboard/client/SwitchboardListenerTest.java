package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A listener that implements only onMessage still hears of its failures: onError's default logs them. */
class SwitchboardListenerTest {

    private final Logger clientLog = Logger.getLogger(SwitchboardClient.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final FakeContainer server = new FakeContainer();
    private SwitchboardClient client;

    @BeforeEach
    void recordTheClientLog() {
        clientLog.addHandler(recorder);
    }

    @AfterEach
    void stop() {
        clientLog.removeHandler(recorder);
        if (client != null) {
            client.close();
        }
    }

    @Test
    void anExceptionThrownInOnMessageIsLoggedAtWarningWithTheMessageIdAndTheException() throws Exception {
        IllegalArgumentException thrown = new IllegalArgumentException("cannot map data onto a non-public record");
        SwitchboardListener onlyOnMessage = message -> {
            throw thrown;
        };
        client = SwitchboardClient.builder(URI.create("ws://switchboard.test:8080/"))
                .token(() -> "token-1")
                .channelId("agent-42")
                .listener(onlyOnMessage)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.5)
                .containers(server::container)
                .build();
        CompletableFuture<Void> connected = client.connect();
        FakeContainer.FakeSession session = server.nextSession();
        session.receive("{\"type\":\"welcome\",\"sessionId\":\"s1\",\"channelId\":\"agent-42\",\"user\":\"u\","
                + "\"heartbeatMs\":60000}");
        connected.get(5, TimeUnit.SECONDS);

        session.receive("{\"type\":\"message\",\"id\":\"m-17\",\"channel\":\"agent-42\",\"data\":{\"n\":1},\"ts\":1}");

        await().atMost(Duration.ofSeconds(5)).until(() -> records.stream().anyMatch(r -> r.getLevel() == Level.WARNING));
        LogRecord warning = records.stream().filter(r -> r.getLevel() == Level.WARNING).findFirst().orElseThrow();
        assertThat(warning.getMessage()).contains("m-17").contains("channel agent-42")
                .contains("cannot map data onto a non-public record");
        assertThat(warning.getThrown()).isInstanceOf(MessageHandlingException.class).hasCause(thrown);
        assertThat(((MessageHandlingException) warning.getThrown()).messageId()).isEqualTo("m-17");
    }
}
