package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.net.ConnectException;
import org.glassfish.tyrus.core.HandshakeException;
import org.junit.jupiter.api.Test;

class HandshakeRefusedExceptionTest {

    @Test
    void readsTheStatusTyrusReportsAsACause() {
        DeploymentException failure = new DeploymentException("Handshake error.",
                new HandshakeException(409, "Response code was not 101: 409."));
        assertThat(HandshakeRefusedException.statusOf(failure)).isEqualTo(409);
    }

    @Test
    void readsTheStatusTomcatReportsInItsMessage() {
        DeploymentException failure = new DeploymentException(
                "The HTTP response from the server [429] did not permit the HTTP upgrade to WebSocket");
        assertThat(HandshakeRefusedException.statusOf(failure)).isEqualTo(429);
    }

    @Test
    void aFailureWithoutAnHttpAnswerHasNoStatus() {
        assertThat(HandshakeRefusedException.statusOf(new DeploymentException("x", new ConnectException("refused"))))
                .isZero();
        assertThat(HandshakeRefusedException.statusOf(new IOException())).isZero();
    }

    @Test
    void tellsWhetherTheClientRetriesByItself() {
        assertThat(new HandshakeRefusedException(429, null).isRetryable()).isTrue();
        assertThat(new HandshakeRefusedException(403, null).isRetryable()).isFalse();
        assertThat(new HandshakeRefusedException(401, null).isRetryable()).isFalse();
    }
}
