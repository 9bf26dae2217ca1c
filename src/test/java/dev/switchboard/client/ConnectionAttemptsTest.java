package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class ConnectionAttemptsTest {

    private final Deque<String> suppliedTokens = new ArrayDeque<>();
    private final ConnectionAttempts attempts = new ConnectionAttempts(
            ConnectionAttempts.channelEndpoint(URI.create("ws://h:8080/")), "agent-42", suppliedTokens::poll,
            () -> {
                throw new AssertionError("no container needed");
            },
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.5), null);

    @Test
    void theChannelEndpointIsUnderTheContextRootAndHttpBecomesWs() {
        assertThat(ConnectionAttempts.channelEndpoint(URI.create("ws://h:8080/")))
                .isEqualTo(URI.create("ws://h:8080/ws/channel"));
        assertThat(ConnectionAttempts.channelEndpoint(URI.create("https://h/switchboard//")))
                .isEqualTo(URI.create("wss://h/switchboard/ws/channel"));
    }

    @Test
    void eachAttemptAsksTheSupplierForAToken() {
        suppliedTokens.add("t1");
        suppliedTokens.add("t2");
        assertThat(attempts.tokenForAttempt()).isEqualTo("t1");
        assertThat(attempts.tokenForAttempt()).isEqualTo("t2");
    }

    @Test
    void aRefusedTokenIsRetriedOnlyWithADifferentOneWhichTheNextAttemptUses() {
        suppliedTokens.add("t1");
        assertThat(attempts.shouldRetry(RetryDecision.RETRY_WITH_NEW_TOKEN, "t1")).isFalse();
        suppliedTokens.add("t2");
        suppliedTokens.add("t3");
        assertThat(attempts.shouldRetry(RetryDecision.RETRY_WITH_NEW_TOKEN, "t1")).isTrue();
        assertThat(attempts.tokenForAttempt()).isEqualTo("t2");
        assertThat(attempts.tokenForAttempt()).isEqualTo("t3");
    }

    @Test
    void stopAndRetryNeedNoToken() {
        assertThat(attempts.shouldRetry(RetryDecision.STOP, "t1")).isFalse();
        assertThat(attempts.shouldRetry(RetryDecision.RETRY, "t1")).isTrue();
        assertThat(suppliedTokens).isEmpty();
    }
}
