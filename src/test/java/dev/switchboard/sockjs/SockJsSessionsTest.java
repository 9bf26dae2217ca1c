package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SockJsSessionsTest {

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final SockJsSessions sessions = new SockJsSessions(new SockJsSettings(50, 4096, 25_000), scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aSessionIdIsNonEmptyWithoutADot() {
        assertThat(SockJsSessions.isValidId("a1_-")).isTrue();
        assertThat(SockJsSessions.isValidId("")).isFalse();
        assertThat(SockJsSessions.isValidId("a.b")).isFalse();
        assertThat(SockJsSessions.isValidId("x".repeat(SockJsSessions.MAX_ID_LENGTH + 1))).isFalse();
    }

    @Test
    void theSecondRequestOfASessionFindsTheSessionTheFirstOpened() {
        AtomicInteger opened = new AtomicInteger();
        SockJsSession first = sessions.findOrOpen("s", fresh -> {
            opened.incrementAndGet();
            return new ClosingHandler(fresh);
        }).orElseThrow();
        SockJsSession again = sessions.findOrOpen("s", fresh -> {
            opened.incrementAndGet();
            return new ClosingHandler(fresh);
        }).orElseThrow();

        assertThat(again).isSameAs(first);
        assertThat(opened.get()).isEqualTo(1);
    }

    @Test
    void aRefusedOpenLeavesNothingBehind() {
        assertThat(sessions.findOrOpen("s", fresh -> null)).isEmpty();
        assertThat(sessions.find("s")).isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aHundredThousandAbandonedSessionsAreAllForgotten() {
        for (int i = 0; i < 100_000; i++) {
            SockJsSession session = sessions.findOrOpen("s" + i, ClosingHandler::new).orElseThrow();
            session.attach(new EndedPoll()); // the open frame, then nobody polls again
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> sessions.size() == 0);
    }

    /** A protocol session that closes its SockJS session when abandoned, as the real ones do through their queue. */
    private record ClosingHandler(SockJsSession session) implements SockJsSession.Handler {
        @Override
        public void start() {
        }

        @Override
        public void onMessage(String message) {
        }

        @Override
        public void onPeerActive() {
        }

        @Override
        public void ended() {
        }
    }

    private static final class EndedPoll implements Receiver {
        @Override
        public void write(String frame, Consumer<Throwable> done) {
            done.accept(null);
        }

        @Override
        public boolean polling() {
            return true;
        }

        @Override
        public boolean full() {
            return false;
        }

        @Override
        public long attachedNanos() {
            return System.nanoTime();
        }

        @Override
        public void end() {
        }
    }
}
