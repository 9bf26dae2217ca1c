package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SockJsSessionTest {

    private static final long DISCONNECT_DELAY_MS = 200;
    private static final long HEARTBEAT_MS = 25_000;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger forgotten = new AtomicInteger();
    private final RecordingHandler handler = new RecordingHandler();
    private final SockJsSession session = new SockJsSession("s1",
            new SockJsSettings(DISCONNECT_DELAY_MS, 4096, HEARTBEAT_MS), scheduler, forgotten::incrementAndGet);

    {
        session.bind(handler);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void theFirstPollGetsTheOpenFrameAndEnds() {
        TestReceiver poll = TestReceiver.poll();
        session.attach(poll);

        assertThat(poll.frames).containsExactly("o");
        assertThat(poll.ended).isTrue();
        assertThat(handler.peerActive.get()).isEqualTo(1);
    }

    @Test
    void aMessageWaitsForAReceiverAndItsSendCompletesOnlyOnceWritten() {
        session.attach(TestReceiver.poll());
        AtomicReference<Object> done = new AtomicReference<>();
        session.sendText("hello", failure -> done.set(failure == null ? "ok" : failure));

        assertThat(done.get()).as("nobody polled yet").isNull();
        TestReceiver poll = TestReceiver.poll();
        session.attach(poll);

        assertThat(poll.frames).containsExactly("a[\"hello\"]");
        assertThat(done.get()).isEqualTo("ok");
    }

    @Test
    void aBatchGoesOutAsOneArrayFrameWhenFlushed() {
        TestReceiver stream = TestReceiver.stream();
        session.attach(stream);
        assertThat(session.startBatch()).isTrue();
        List<Object> results = new ArrayList<>();
        session.sendText("a", failure -> results.add("sent a"));
        session.sendText("b", failure -> results.add("sent b"));
        assertThat(stream.frames).containsExactly("o");

        session.flush(failure -> results.add("flushed"));

        assertThat(stream.frames).containsExactly("o", "a[\"a\",\"b\"]");
        assertThat(results).containsExactly("sent a", "sent b", "flushed");
        assertThat(stream.ended).isFalse();
    }

    @Test
    void aSecondReceiverIsRefusedAndTheFirstKeepsReceiving() {
        TestReceiver first = TestReceiver.stream();
        session.attach(first);
        TestReceiver second = TestReceiver.stream();
        session.attach(second);

        assertThat(second.frames).containsExactly("c[2010,\"Another connection still open\"]");
        assertThat(second.ended).isTrue();
        session.sendText("m", failure -> { });
        assertThat(first.frames).containsExactly("o", "a[\"m\"]");
    }

    @Test
    void aClosedSessionAnswersEveryReceiverWithItsCloseFrameUntilForgotten() {
        session.attach(TestReceiver.poll());
        session.close(CloseCode.SLOW_CONSUMER);

        for (int i = 0; i < 2; i++) {
            TestReceiver poll = TestReceiver.poll();
            session.attach(poll);
            assertThat(poll.frames).containsExactly("c[4008,\"slow consumer\"]");
        }
        assertThat(handler.ended.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> forgotten.get() == 1);
    }

    @Test
    void closingWritesThePendingMessagesBeforeTheCloseFrame() {
        TestReceiver stream = TestReceiver.stream();
        session.attach(stream);
        session.startBatch();
        session.sendText("last", failure -> { });
        session.close(CloseCode.SHUTDOWN);

        assertThat(stream.frames).containsExactly("o", "a[\"last\"]", "c[1001,\"server shutting down\"]");
        assertThat(stream.ended).isTrue();
    }

    @Test
    void aSessionWithoutReceiverForTheDisconnectDelayIsClosedAs4001() {
        session.attach(TestReceiver.poll());

        await().atMost(Duration.ofSeconds(5)).until(() -> handler.ended.get() == 1);
        TestReceiver late = TestReceiver.poll();
        session.attach(late);
        assertThat(late.frames).containsExactly("c[4001,\"no heart-beat answer\"]");
    }

    @Test
    void anAbandonedSessionFailsTheSendThatWaitedForAReceiver() {
        // A STOMP session's last word (an ERROR) would otherwise wait for a receiver that never
        // comes and hold the protocol session open until the send time limit.
        session.attach(TestReceiver.poll());
        AtomicReference<Object> lastSend = new AtomicReference<>();
        session.sendText("ERROR", failure -> lastSend.set(failure == null ? "ok" : failure));

        await().atMost(Duration.ofSeconds(5)).until(() -> handler.ended.get() == 1 && lastSend.get() != null);
        assertThat(lastSend.get()).as("the unwritten last message").isInstanceOf(IOException.class);
    }

    @Test
    void anAttachedStreamKeepsTheSessionAlive() {
        session.attach(TestReceiver.stream());

        // Three disconnect delays pass with the stream attached: the session stays.
        long until = System.nanoTime() + Duration.ofMillis(3 * DISCONNECT_DELAY_MS).toNanos();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > until);
        assertThat(handler.ended.get()).isZero();
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void aReceivingRequestThatBreaksEndsTheSessionSoThatTheClientStartsAfresh() {
        session.attach(TestReceiver.poll());
        TestReceiver waiting = TestReceiver.poll();
        session.attach(waiting);

        session.interrupted(waiting);

        assertThat(handler.ended.get()).isEqualTo(1);
        TestReceiver next = TestReceiver.poll();
        session.attach(next);
        assertThat(next.frames).containsExactly("c[1002,\"Connection interrupted\"]");
    }

    @Test
    void aHeartBeatAnswersAWaitingPoll() {
        session.attach(TestReceiver.poll());
        TestReceiver poll = TestReceiver.poll();
        session.attach(poll);
        assertThat(poll.frames).isEmpty();

        session.sendPing(failure -> { });

        assertThat(poll.frames).containsExactly("h");
        assertThat(poll.ended).isTrue();
    }

    @Test
    void aStreamAttachedForHalfAHeartBeatIntervalIsEndedAfterTheHeartBeat() {
        TestReceiver fresh = TestReceiver.stream();
        session.attach(fresh);
        session.sendPing(failure -> { });
        assertThat(fresh.frames).containsExactly("o", "h");
        assertThat(fresh.ended).as("attached just now").isFalse();

        fresh.attachedNanos -= Duration.ofMillis(HEARTBEAT_MS / 2).toNanos();
        session.sendPing(failure -> { });

        assertThat(fresh.frames).containsExactly("o", "h", "h");
        assertThat(fresh.ended).as("so that the client shows itself with a new request").isTrue();
    }

    @Test
    void aFullStreamIsEndedAndTheNextOneCarriesOn() {
        TestReceiver first = TestReceiver.stream();
        first.full = true;
        session.attach(first);
        assertThat(first.ended).isTrue();

        TestReceiver second = TestReceiver.stream();
        session.attach(second);
        session.sendText("m", failure -> { });
        assertThat(second.frames).containsExactly("a[\"m\"]");
    }

    @Test
    void aReceiverStuckInAWriteIsEndedWhenTheClosedSessionIsForgotten() {
        TestReceiver stalled = TestReceiver.stream();
        session.attach(stalled);
        stalled.stalled = true;
        session.sendText("m", failure -> { });
        session.close(CloseCode.SLOW_CONSUMER);
        assertThat(stalled.ended).isFalse();

        await().atMost(Duration.ofSeconds(5)).until(() -> forgotten.get() == 1);
        assertThat(stalled.ended).isTrue();
    }

    @Test
    void aRefusedSecondRequestThatBreaksLeavesTheSessionAlone() {
        TestReceiver first = TestReceiver.stream();
        session.attach(first);
        TestReceiver second = TestReceiver.stream();
        session.attach(second);

        session.interrupted(second);

        assertThat(session.isClosed()).isFalse();
        session.sendText("m", failure -> { });
        assertThat(first.frames).containsExactly("o", "a[\"m\"]");
    }

    @Test
    void aFailedWriteFailsTheSendItCarried() {
        session.attach(TestReceiver.poll());
        TestReceiver broken = TestReceiver.poll();
        broken.failure = new IOException("connection reset");
        session.attach(broken);
        AtomicReference<Throwable> done = new AtomicReference<>();

        session.sendText("m", done::set);

        assertThat(done.get()).hasMessage("connection reset");
        TestReceiver next = TestReceiver.poll();
        session.attach(next);
        assertThat(next.frames).containsExactly("c[1002,\"Connection interrupted\"]");
    }

    @Test
    void messagesReachTheHandlerInOrderAndNotAfterTheClose() {
        session.receive(List.of("1", "2"));
        session.receive(List.of("3"));
        session.close(CloseCode.NORMAL);
        session.receive(List.of("4"));

        assertThat(handler.messages).containsExactly("1", "2", "3");
    }

    private static final class RecordingHandler implements SockJsSession.Handler {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final AtomicInteger peerActive = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();

        @Override
        public void start() {
        }

        @Override
        public void onMessage(String message) {
            messages.add(message);
        }

        @Override
        public void onPeerActive() {
            peerActive.incrementAndGet();
        }

        @Override
        public void ended() {
            ended.incrementAndGet();
        }
    }

    /** A receiver whose writes complete at once (or fail with {@link #failure}). */
    private static final class TestReceiver implements Receiver {
        final List<String> frames = new CopyOnWriteArrayList<>();
        final boolean polling;
        volatile boolean ended;
        volatile boolean full;
        volatile Throwable failure;
        /** Writes never complete: a reader that stopped reading. */
        volatile boolean stalled;
        volatile long attachedNanos = System.nanoTime();

        private TestReceiver(boolean polling) {
            this.polling = polling;
        }

        static TestReceiver poll() {
            return new TestReceiver(true);
        }

        static TestReceiver stream() {
            return new TestReceiver(false);
        }

        @Override
        public void write(String frame, Consumer<Throwable> done) {
            assertThat(ended).as("written after end").isFalse();
            if (stalled) {
                return;
            }
            if (failure == null) {
                frames.add(frame);
            }
            done.accept(failure);
        }

        @Override
        public boolean polling() {
            return polling;
        }

        @Override
        public boolean full() {
            return full;
        }

        @Override
        public long attachedNanos() {
            return attachedNanos;
        }

        @Override
        public void end() {
            ended = true;
        }
    }
}
