package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InboundRateTest {

    private final MutableClock clock = MutableClock.atFixedInstant();

    @Test
    void theBurstPassesAndTheNextMessageIsPastTheAllowance() {
        InboundRate rate = new InboundRate(new InboundRate.Allowance(10, 20, 0, 0), clock);
        for (int i = 0; i < 20; i++) {
            assertThat(rate.take(10, true)).as("message %d", i + 1).isTrue();
        }
        assertThat(rate.take(10, true)).isFalse();
    }

    @Test
    void messagesAtTheRateAreServedForEver() {
        InboundRate rate = new InboundRate(new InboundRate.Allowance(10, 20, 0, 0), clock);
        for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofMillis(100));
            assertThat(rate.take(10, true)).as("message %d", i + 1).isTrue();
        }
    }

    @Test
    void theAllowanceComesBackWithTimeButNotBeyondTheBurst() {
        InboundRate rate = new InboundRate(new InboundRate.Allowance(10, 5, 0, 0), clock);
        for (int i = 0; i < 5; i++) {
            rate.take(0, true);
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            assertThat(rate.take(0, true)).isTrue();
        }
        assertThat(rate.take(0, true)).as("the bucket held 5, not an hour's worth").isFalse();
    }

    @Test
    void bytesAreCountedForPartsAndMessagesOnlyOnTheLastPart() {
        InboundRate rate = new InboundRate(new InboundRate.Allowance(1, 1, 1000, 1000), clock);
        assertThat(rate.take(400, false)).isTrue();
        assertThat(rate.take(400, false)).isTrue();
        assertThat(rate.take(100, true)).as("one message, 900 bytes").isTrue();
        assertThat(rate.take(200, false)).as("1,100 bytes").isFalse();
    }

    @Test
    void aRateOfZeroTurnsABucketOff() {
        InboundRate rate = new InboundRate(InboundRate.Allowance.UNLIMITED, clock);
        for (int i = 0; i < 100_000; i++) {
            assertThat(rate.take(1_000_000, true)).isTrue();
        }
    }

    @Test
    void utf8LengthCountsWhatTheWireCarries() {
        assertThat(InboundRate.utf8Length("abc")).isEqualTo(3);
        assertThat(InboundRate.utf8Length("caf\u00e9")).isEqualTo(5);
        assertThat(InboundRate.utf8Length("\u20ac")).isEqualTo(3);
        assertThat(InboundRate.utf8Length("\ud83d\ude00")).isEqualTo(4);
        assertThat(InboundRate.utf8Length("\u20ac")).isEqualTo("\u20ac".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
}
