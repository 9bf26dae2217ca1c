package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The contract, plus the in-memory registry's time limit on reservations that never bind. */
class InMemoryChannelRegistryTest extends ChannelRegistryContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryChannelRegistry registry = new InMemoryChannelRegistry(clock, TIMEOUT);

    @Override
    protected ChannelRegistry newRegistry() {
        return registry;
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Test
    void unboundReservationOlderThanTheTimeoutNoLongerBlocks() {
        ChannelReservation abandoned = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));

        clock.advance(TIMEOUT);
        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).as("at exactly the timeout")
                .isInstanceOf(ChannelClaim.Refused.class);

        clock.advance(Duration.ofMillis(1));
        ChannelClaim late = registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT);

        assertThat(late).isInstanceOf(ChannelClaim.Granted.class);
        assertThat(registry.bind(abandoned, "s1")).isFalse();
    }

    @Test
    void reservationOlderThanTheTimeoutThatNobodyTookOverStillBinds() {
        ChannelReservation late = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        clock.advance(TIMEOUT.plusSeconds(1));
        String session = "s1";

        assertThat(registry.bind(late, session)).isTrue();
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(session);
    }

    @Test
    void reservationOlderThanTheTimeoutDoesNotBindOnceAnotherClaimTookTheChannelOver() {
        ChannelReservation abandoned = grant(registry.claim("agent-42", "alice", NODE, ChannelPolicy.REJECT));
        clock.advance(TIMEOUT.plusSeconds(1));
        ChannelReservation takeover = grant(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT));
        String bob = "s2";

        assertThat(registry.bind(abandoned, "s1")).isFalse();
        assertThat(registry.bind(takeover, bob)).isTrue();
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(bob);
    }

    @Test
    void boundSessionBlocksForeverWhateverTheClockSays() {
        String session = bindNew("agent-42", "alice");

        clock.advance(TIMEOUT.multipliedBy(100));

        assertThat(registry.claim("agent-42", "bob", NODE, ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        assertThat(registry.holder("agent-42").map(ChannelHolder::sessionId)).contains(session);
    }
}
