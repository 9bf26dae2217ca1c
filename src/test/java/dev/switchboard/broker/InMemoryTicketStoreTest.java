package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryTicketStoreTest extends TicketStoreContract {

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryTicketStore store = new InMemoryTicketStore(clock, 1000);

    @Override
    protected TicketStore store() {
        return store;
    }

    @Override
    protected TicketStore storeOnAnotherNode() {
        return store; // one node: the same store
    }

    @Override
    protected void expire(Duration duration, java.util.function.BooleanSupplier expired) {
        clock.advance(duration);
        assertThat(expired.getAsBoolean()).isTrue();
    }

    @Test
    void aFullStoreRefusesUntilItsTicketsExpire() {
        for (int i = 0; i < 1000; i++) {
            assertThat(store.put("t" + i, "p", Duration.ofSeconds(30))).isTrue();
        }

        assertThat(store.put("one-more", "p", Duration.ofSeconds(30))).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.put("one-more", "p", Duration.ofSeconds(30))).isTrue();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void a100000UnusedTicketsHoldNoMoreThanTheCapacityAndGoWithTime() {
        InMemoryTicketStore bounded = new InMemoryTicketStore(clock, 10_000);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            accepted += bounded.put("t" + i, "p", Duration.ofSeconds(30)) ? 1 : 0;
            if (i % 1000 == 0) {
                clock.advance(Duration.ofSeconds(1));
            }
        }

        assertThat(bounded.size()).isLessThanOrEqualTo(10_000);
        assertThat(accepted).isGreaterThan(10_000); // expired ones made room
        clock.advance(Duration.ofSeconds(31));
        bounded.put("last", "p", Duration.ofSeconds(30));
        assertThat(bounded.take("t99999")).isEmpty();
    }
}
