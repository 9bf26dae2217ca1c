package dev.switchboard.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

class LogRedactionTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    @Test
    void tomcatsInvalidRequestTargetLineLosesTheTokenAndTheTicket() {
        String line = "Invalid character found in the request target [/ws/channel?token=" + JWT
                + "&ticket=abcDEF123_-xyz&channelId=desk|1 ]. The valid characters are defined in RFC 7230 and RFC 3986";
        assertThat(LogRedaction.redact(line))
                .isEqualTo("Invalid character found in the request target [/ws/channel?token=[redacted]"
                        + "&ticket=[redacted]&channelId=desk|1 ]. The valid characters are defined in RFC 7230 and RFC 3986");
    }

    @Test
    void tomcatsParameterLineLosesTheValue() {
        String line = "Character decoding failed. Parameter [token] with value [" + JWT + "%zz] has been ignored.";
        assertThat(LogRedaction.redact(line))
                .isEqualTo("Character decoding failed. Parameter [token] with value [[redacted]] has been ignored.");
        assertThat(LogRedaction.redact("Parameter [ticket] with value [abc] x")).doesNotContain("abc");
    }

    @Test
    void aBareJwtOrBearerCredentialIsCutWhereverItIs() {
        assertThat(LogRedaction.redact("verifying " + JWT + " failed")).isEqualTo("verifying [redacted] failed");
        assertThat(LogRedaction.redact("Authorization: Bearer s3cr3t-api-key")).isEqualTo("Authorization: Bearer [redacted]");
    }

    @Test
    void ordinaryLinesAreUntouched() {
        String line = "Session 12 of user alice opened on channel desk-1";
        assertThat(LogRedaction.redact(line)).isSameAs(line);
    }

    @Test
    void aRecordsParametersAndExceptionMessagesAreRedactedToo() throws Exception {
        LogRecord record = new LogRecord(Level.INFO, "Handshake for {0} refused");
        record.setParameters(new Object[] {"/ws/channel?token=" + JWT});
        record.setThrown(new IllegalArgumentException("bad target /ws/channel?token=" + JWT,
                new IllegalStateException("inner " + JWT)));
        java.lang.reflect.Constructor<LogRedaction> constructor = LogRedaction.class.getDeclaredConstructor(
                java.util.logging.Filter.class);
        constructor.setAccessible(true);

        assertThat(constructor.newInstance((java.util.logging.Filter) null).isLoggable(record)).isTrue();

        String formatted = new SimpleFormatter().format(record);
        assertThat(formatted).doesNotContain("c2lnbmF0dXJl").contains("token=[redacted]")
                .contains("java.lang.IllegalArgumentException: bad target").contains("inner [redacted]");
    }
}
