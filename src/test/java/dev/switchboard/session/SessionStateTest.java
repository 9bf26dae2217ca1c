package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionStateTest {

    @Test
    void aSessionOpensOnceAndOnlyFromOpening() {
        SessionState state = new SessionState();

        assertThat(state.open()).isTrue();
        assertThat(state.isOpen()).isTrue();
        assertThat(state.open()).isFalse();
    }

    @Test
    void aSessionThatBeganClosingNeverOpens() {
        SessionState state = new SessionState();

        assertThat(state.beginClosing()).isTrue();

        assertThat(state.open()).isFalse();
        assertThat(state.phase()).isEqualTo(SessionState.Phase.CLOSING);
        assertThat(state.isClosed()).isTrue();
    }

    @Test
    void aSessionThatEndedNeitherOpensNorBeginsClosing() {
        SessionState state = new SessionState();

        assertThat(state.end()).isTrue();

        assertThat(state.open()).isFalse();
        assertThat(state.beginClosing()).isFalse();
        assertThat(state.end()).isFalse();
        assertThat(state.phase()).isEqualTo(SessionState.Phase.ENDED);
    }

    @Test
    void closingAnOpenSessionIsWonByOneCallerAndTheEndFollows() {
        SessionState state = new SessionState();
        state.open();

        assertThat(state.beginClosing()).isTrue();
        assertThat(state.beginClosing()).isFalse();
        assertThat(state.end()).isTrue();
    }

    @Test
    void ofManyThreadsClosingAndOpeningAtOnceExactlyOneClosesAndOpeningMayOnlyPrecedeIt() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 2_000; round++) {
                SessionState state = new SessionState();
                AtomicInteger closers = new AtomicInteger();
                CyclicBarrier startLine = new CyclicBarrier(threads);
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    boolean opener = t == 0;
                    running.add(pool.submit(() -> {
                        startLine.await(10, TimeUnit.SECONDS);
                        if (opener) {
                            state.open();
                        } else if (state.beginClosing()) {
                            closers.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> future : running) {
                    future.get(10, TimeUnit.SECONDS);
                }
                assertThat(closers.get()).as("round %d: closers that won", round).isEqualTo(1);
                assertThat(state.phase()).as("round %d", round).isEqualTo(SessionState.Phase.CLOSING);
                assertThat(state.open()).as("round %d: open after closing", round).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
