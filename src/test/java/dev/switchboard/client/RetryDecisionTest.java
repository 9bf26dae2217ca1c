package dev.switchboard.client;

import static dev.switchboard.client.RetryDecision.RETRY;
import static dev.switchboard.client.RetryDecision.RETRY_WITH_NEW_TOKEN;
import static dev.switchboard.client.RetryDecision.STOP;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryDecisionTest {

    @ParameterizedTest(name = "close {0}: {1}")
    @CsvSource({
            "1000, STOP",                 // normal
            "1001, RETRY",                // server going away
            "1003, STOP",                 // client bug: binary frame
            "1006, RETRY",                // connection lost
            "1008, RETRY_WITH_NEW_TOKEN", // token expired
            "1009, STOP",                 // client bug: frame too big
            "1011, RETRY",                // server fault
            "4000, STOP",                 // operator disconnect
            "4008, RETRY",                // slow consumer: reconnect and resume
            "4009, STOP",                 // replaced by a newer session
            "4029, RETRY",                // rate limited: with backoff
            "4999, RETRY"                 // unknown: assume transient
    })
    void closeCodesFollowTheCatalogue(int code, RetryDecision expected) {
        assertThat(RetryDecision.forCloseCode(code)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "HTTP {0}: {1}")
    @CsvSource({
            "400, STOP",
            "401, RETRY_WITH_NEW_TOKEN",
            "403, STOP",
            "404, STOP",
            "409, RETRY",
            "429, RETRY",
            "500, RETRY",
            "502, RETRY",
            "503, RETRY",
            "0, RETRY"
    })
    void handshakeRefusalsArePermanentOrRetryable(int status, RetryDecision expected) {
        assertThat(RetryDecision.forHandshakeStatus(status)).isEqualTo(expected);
    }
}
