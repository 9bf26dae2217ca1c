package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link TicketStore} promises: in memory ({@link InMemoryTicketStoreTest}) and on Redis. */
public abstract class TicketStoreContract {

    protected abstract TicketStore store();

    /** The same store as another node sees it. */
    protected abstract TicketStore storeOnAnotherNode();

    /** Lets {@code duration} pass for the store's expiry, then requires {@code expired} to hold (bounded). */
    protected abstract void expire(Duration duration, java.util.function.BooleanSupplier expired);

    @Test
    void aTicketIsTakenOnce() {
        store().put("t1", "payload", Duration.ofSeconds(30));

        assertThat(store().take("t1")).contains("payload");
        assertThat(store().take("t1")).isEmpty();
    }

    @Test
    void peekingLeavesTheTicket() {
        store().put("t1", "payload", Duration.ofSeconds(30));

        assertThat(store().peek("t1")).contains("payload");
        assertThat(store().take("t1")).contains("payload");
        assertThat(store().peek("t1")).isEmpty();
    }

    @Test
    void anUnknownTicketIsEmpty() {
        assertThat(store().take("nope")).isEmpty();
        assertThat(store().peek("nope")).isEmpty();
    }

    @Test
    void aTicketExpires() {
        store().put("t1", "payload", Duration.ofMillis(300));
        assertThat(store().peek("t1")).isPresent();

        expire(Duration.ofMillis(300), () -> store().peek("t1").isEmpty());

        assertThat(store().take("t1")).isEmpty();
    }

    @Test
    void aTicketIssuedOnOneNodeIsTakenOnAnother() {
        store().put("t1", "payload", Duration.ofSeconds(30));

        assertThat(storeOnAnotherNode().take("t1")).contains("payload");
        assertThat(store().take("t1")).isEmpty();
    }

    @Test
    void ofConcurrentTakesExactlyOneWins() throws Exception {
        for (int round = 0; round < 20; round++) {
            String ticket = "race-" + round;
            store().put(ticket, "payload", Duration.ofSeconds(30));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Optional<String>>> takes = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    TicketStore node = i % 2 == 0 ? store() : storeOnAnotherNode();
                    takes.add(() -> node.take(ticket));
                }
                int winners = 0;
                for (Future<Optional<String>> take : pool.invokeAll(takes)) {
                    winners += take.get().isPresent() ? 1 : 0;
                }
                assertThat(winners).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
