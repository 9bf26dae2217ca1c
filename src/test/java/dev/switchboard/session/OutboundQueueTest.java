package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    private static final Executor DIRECT = Runnable::run;

    private final RecordingEvents events = new RecordingEvents();

    @Test
    void framesAreSentInOfferOrder() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        assertThat(queue.offer("a")).isTrue();
        assertThat(queue.offer("b")).isTrue();
        assertThat(queue.offer("c")).isTrue();

        assertThat(sink.sent).containsExactly("a", "b", "c");
        assertThat(sink.closes).isEmpty();
        events.assertNone();
    }

    @Test
    void textAndBinaryFramesKeepTheirOrderAndKind() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.offer("a");
        queue.offer(new byte[] {'b', 0});
        queue.offer("c");

        assertThat(sink.sent).containsExactly("a", "binary:b\u0000", "c");
        events.assertNone();
    }

    @Test
    void pingsGoOutInOrderWithTheFrames() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.offer("a");
        queue.offerPing();
        queue.offer("b");

        assertThat(sink.sent).containsExactly("a", "ping", "b");
    }

    @Test
    void textCountsItsUtf8BytesNotItsCharacters() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 10, 100, events);
        queue.offer("a"); // in flight

        assertThat(queue.offer("ééé")).isTrue(); // 3 characters, 6 bytes
        assertThat(queue.queuedBytes()).isEqualTo(6);
        assertThat(queue.offer(TextFrame.of("üü"))).isTrue(); // 10 bytes in all: at the bound, not past it
        assertThat(queue.offer("x")).isFalse();

        assertThat(events.overflows).containsExactly(List.of(11L, 3L));
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
    }

    @Test
    void aReplayMayTakeHalfOfEachBoundWithWhatIsQueued() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 100, 10, events);
        queue.offer("a"); // in flight, no longer counted
        queue.offer("0123456789");

        assertThat(queue.hasRoomForReplay(40, 4)).isTrue();
        assertThat(queue.hasRoomForReplay(41, 1)).as("past half the bytes").isFalse();
        assertThat(queue.hasRoomForReplay(1, 5)).as("past half the frames").isFalse();
    }

    @Test
    void aSharedTextFrameIsSentAsItsText() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.offer(TextFrame.of("shared"));

        assertThat(sink.sent).containsExactly("shared");
        assertThat(queue.queuedBytes()).isZero();
    }

    @Test
    void binaryBytesCountAgainstTheSameBoundAsText() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 10, 100, events);
        queue.offer("a"); // in flight

        assertThat(queue.offer(new byte[6])).isTrue();
        assertThat(queue.offer(new byte[5])).isFalse();

        assertThat(events.overflows).hasSize(1);
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
    }

    @Test
    void nextFrameIsSentOnlyAfterThePreviousSendCompletes() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.offer("a");
        queue.offer("b");
        queue.offer("c");
        assertThat(sink.sent).containsExactly("a");

        sink.completeNext(null);
        assertThat(sink.sent).containsExactly("a", "b");

        sink.completeNext(null);
        sink.completeNext(null);
        assertThat(sink.sent).containsExactly("a", "b", "c");
        assertThat(sink.maxOutstanding).isEqualTo(1);
        assertThat(queue.queuedBytes()).isZero();
    }

    @Test
    void idleQueueStartsSendingAgainOnTheNextOffer() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        sink.completeNext(null);

        queue.offer("b");

        assertThat(sink.sent).containsExactly("a", "b");
    }

    @Test
    void queuedBytesCountsFramesNotYetHandedToTheSink() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.offer("12345");   // handed to the sink at once
        queue.offer("123");
        queue.offer("12");

        assertThat(queue.queuedBytes()).isEqualTo(5);
        sink.completeNext(null);
        assertThat(queue.queuedBytes()).isEqualTo(2);
    }

    @Test
    void manyOfferingThreadsAndAsynchronousCompletionsNeverOverlapSends() throws Exception {
        int producers = 4;
        int perProducer = 5_000;
        ExecutorService drainers = Executors.newFixedThreadPool(4);
        ExecutorService io = Executors.newSingleThreadExecutor();
        ExecutorService offering = Executors.newFixedThreadPool(producers);
        try {
            ConcurrentSink sink = new ConcurrentSink(io);
            OutboundQueue queue = new OutboundQueue(sink, drainers, Long.MAX_VALUE, Integer.MAX_VALUE, events);
            CyclicBarrier start = new CyclicBarrier(producers);
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                futures.add(offering.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    for (int i = 0; i < perProducer; i++) {
                        assertThat(queue.offer(producer + ":" + i)).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(20, TimeUnit.SECONDS);
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> sink.sent.size() == producers * perProducer);
            assertThat(sink.overlaps.get()).as("sends started while another was in flight").isZero();
            for (int p = 0; p < producers; p++) {
                String prefix = p + ":";
                List<Integer> order = sink.sent.stream().filter(f -> f.startsWith(prefix))
                        .map(f -> Integer.parseInt(f.substring(prefix.length()))).toList();
                assertThat(order).as("frames of producer %d", p).isSorted().hasSize(perProducer);
            }
            events.assertNone();
        } finally {
            offering.shutdownNow();
            drainers.shutdownNow();
            io.shutdownNow();
        }
    }

    @Test
    void sinkCompletingInlineForTwoHundredThousandFramesDoesNotGrowTheStack() {
        ManualExecutor executor = new ManualExecutor();
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, executor, Long.MAX_VALUE, Integer.MAX_VALUE, events);
        for (int i = 0; i < 200_000; i++) {
            queue.offer("f" + i);
        }
        assertThat(sink.sent).isEmpty();

        executor.runAll(); // one drain sends everything; each send completes before sendText returns

        assertThat(sink.sent).hasSize(200_000).startsWith("f0", "f1").endsWith("f199999");
        assertThat(sink.maxDepth).as("stack frames under the drain at the deepest send")
                .isLessThan(sink.firstDepth + 10);
    }

    @Test
    void completionThatResumesTheDrainDoesNotRecursePerFrame() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, Long.MAX_VALUE, Integer.MAX_VALUE, events);
        queue.offer("first");
        for (int i = 0; i < 200_000; i++) {
            queue.offer("f" + i);
        }
        sink.completeInlineFromNowOn();

        sink.completeNext(null); // resumes the drain on this thread, which sends the other 200,000

        assertThat(sink.sent).hasSize(200_001).endsWith("f199999");
        assertThat(sink.closes).isEmpty();
    }

    @Test
    void tooManyQueuedFramesClosesTheSessionAsASlowConsumer() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 3, events);
        assertThat(queue.offer("a")).isTrue(); // in flight: no longer counts as queued
        assertThat(queue.offer("b")).isTrue();
        assertThat(queue.offer("c")).isTrue();
        assertThat(queue.offer("d")).isTrue();

        assertThat(queue.offer("e")).isFalse();

        assertThat(events.overflows).containsExactly(List.of(4L, 4L));
        assertThat(events.discards).containsExactly(3);
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
        assertThat(queue.queuedBytes()).isZero();
    }

    @Test
    void tooManyQueuedCharsClosesTheSessionAsASlowConsumer() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 10, 100, events);
        queue.offer("in-flight");
        assertThat(queue.offer("12345")).isTrue();
        assertThat(queue.offer("12345")).isTrue();

        assertThat(queue.offer("1")).isFalse();

        assertThat(events.overflows).containsExactly(List.of(11L, 3L));
        assertThat(events.discards).containsExactly(2);
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
    }

    @Test
    void overflowIsReportedOnceAndLaterOffersAreRefused() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 1, events);
        queue.offer("a");
        queue.offer("b");
        queue.offer("c");

        assertThat(queue.offer("d")).isFalse();
        assertThat(queue.offer("e")).isFalse();
        sink.completeNext(null);

        assertThat(events.overflows).hasSize(1);
        assertThat(events.discards).containsExactly(1);
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
        assertThat(sink.sent).containsExactly("a");
    }

    @Test
    void singleFrameLargerThanTheBoundOverflowsAnEmptyQueue() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 4, 100, events);

        assertThat(queue.offer("12345")).isFalse();

        assertThat(sink.sent).isEmpty();
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
        assertThat(events.overflows).containsExactly(List.of(5L, 1L));
        assertThat(events.discards).isEmpty();
    }

    @Test
    void closeSendsEverythingQueuedThenClosesWithItsCode() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        queue.offer("b");
        queue.offer("c");

        queue.close(CloseCode.SHUTDOWN);
        assertThat(sink.closes).isEmpty();

        sink.completeNext(null);
        sink.completeNext(null);
        assertThat(sink.closes).as("c is still in flight").isEmpty();
        sink.completeNext(null);

        assertThat(sink.sent).containsExactly("a", "b", "c");
        assertThat(sink.closes).containsExactly(CloseCode.SHUTDOWN);
        events.assertNone();
    }

    @Test
    void offersAfterCloseAreRefused() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");

        queue.close(CloseCode.NORMAL);

        assertThat(queue.offer("b")).isFalse();
        assertThat(sink.sent).containsExactly("a");
        assertThat(sink.closes).containsExactly(CloseCode.NORMAL);
    }

    @Test
    void onlyTheFirstCloseCounts() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");

        queue.close(CloseCode.OPERATOR);
        queue.close(CloseCode.REPLACED);
        sink.completeNext(null);
        queue.close(CloseCode.NORMAL);

        assertThat(sink.closes).containsExactly(CloseCode.OPERATOR);
    }

    @Test
    void closeAfterSendsItsFrameBehindEverythingQueuedThenCloses() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        queue.offer("b");

        assertThat(queue.closeAfter("ERROR", CloseCode.POLICY_VIOLATION)).isTrue();
        assertThat(queue.offer("late")).isFalse();
        sink.completeNext(null);
        sink.completeNext(null);
        sink.completeNext(null);

        assertThat(sink.sent).containsExactly("a", "b", "ERROR");
        assertThat(sink.closes).containsExactly(CloseCode.POLICY_VIOLATION);
        events.assertNone();
    }

    @Test
    void closeAfterOnAQueueThatIsClosingAlreadyQueuesNothing() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.close(CloseCode.REPLACED);

        assertThat(queue.closeAfter("ERROR", CloseCode.POLICY_VIOLATION)).isFalse();

        assertThat(sink.sent).isEmpty();
        assertThat(sink.closes).containsExactly(CloseCode.REPLACED);
    }

    @Test
    void framesOfferedWhileCloseAfterRunsNeverFollowItsFrame() throws Exception {
        int offerers = 2;
        ExecutorService threads = Executors.newFixedThreadPool(offerers + 1);
        try {
            for (int round = 0; round < 1_000; round++) {
                ThreadSafeSink sink = new ThreadSafeSink();
                OutboundQueue queue = new OutboundQueue(sink, DIRECT, Long.MAX_VALUE, Integer.MAX_VALUE, new RecordingEvents());
                CyclicBarrier startLine = new CyclicBarrier(offerers + 1);
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < offerers; t++) {
                    String name = "frame-" + t + "-";
                    running.add(threads.submit(() -> {
                        startLine.await(5, TimeUnit.SECONDS);
                        for (int i = 0; queue.offer(name + i); i++) {
                            // offers until the close refuses them
                        }
                        return null;
                    }));
                }
                running.add(threads.submit(() -> {
                    startLine.await(5, TimeUnit.SECONDS);
                    return queue.closeAfter("LAST", CloseCode.POLICY_VIOLATION);
                }));
                for (Future<?> future : running) {
                    future.get(10, TimeUnit.SECONDS);
                }

                List<String> sent = List.copyOf(sink.sent);
                assertThat(sent).as("round %d", round).isNotEmpty().endsWith("LAST").containsOnlyOnce("LAST");
                assertThat(sink.closes).as("round %d", round).containsExactly(CloseCode.POLICY_VIOLATION);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void closeOfAnIdleQueueClosesAtOnce() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        queue.close(CloseCode.POLICY_VIOLATION);

        assertThat(sink.closes).containsExactly(CloseCode.POLICY_VIOLATION);
    }

    @Test
    void sendTimingOutClosesAsSlowConsumerAndDiscardsTheRest() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        queue.offer("b");
        queue.offer("c");
        SocketTimeoutException timeout = new SocketTimeoutException("send timed out");

        sink.completeNext(timeout);

        assertThat(sink.sent).containsExactly("a");
        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
        assertThat(events.failures).containsExactly(List.of(timeout, CloseCode.SLOW_CONSUMER));
        assertThat(events.discards).containsExactly(2);
        assertThat(queue.offer("d")).isFalse();
    }

    @Test
    void timeoutWrappedInAnotherExceptionStillCountsAsSlowConsumer() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");

        sink.completeNext(new IOException("write failed", new TimeoutException("blocking send timed out")));

        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
    }

    @Test
    void otherSendFailureClosesWithInternalError() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        queue.offer("b");
        IOException broken = new IOException("broken pipe");

        sink.completeNext(broken);

        assertThat(sink.closes).containsExactly(CloseCode.INTERNAL_ERROR);
        assertThat(events.failures).containsExactly(List.of(broken, CloseCode.INTERNAL_ERROR));
        assertThat(events.discards).containsExactly(1);
        assertThat(sink.sent).containsExactly("a");
    }

    @Test
    void sendFailingInlineIsHandledLikeALateFailure() {
        HeldSink sink = new HeldSink();
        sink.failInlineWith(new SocketTimeoutException("inline"));
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);

        assertThat(queue.offer("a")).isTrue();

        assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
        assertThat(events.failures).hasSize(1);
        assertThat(queue.offer("b")).isFalse();
        assertThat(sink.sent).containsExactly("a");
    }

    @Test
    void connectionClosedDiscardsWhatIsQueuedWithoutClosing() {
        HeldSink sink = new HeldSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");
        queue.offer("b");
        queue.offer("c");

        queue.connectionClosed();
        sink.completeNext(null); // the send that was in flight finishes after all

        assertThat(events.discards).containsExactly(2);
        assertThat(sink.sent).containsExactly("a");
        assertThat(sink.closes).isEmpty();
        assertThat(queue.offer("d")).isFalse();
        assertThat(queue.queuedBytes()).isZero();
    }

    @Test
    void connectionClosedOnAnEmptyQueueReportsNoDiscards() {
        InlineSink sink = new InlineSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        queue.offer("a");

        queue.connectionClosed();
        queue.close(CloseCode.NORMAL);

        events.assertNone();
        assertThat(sink.closes).isEmpty();
    }

    // --- batching, turns and the blocking executor ---

    @Test
    void aBacklogBehindASendIsBatchedAndFlushedWhenTheQueueRunsDry() {
        BatchingSink sink = new BatchingSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        sink.holdNextSend();
        queue.offer("a"); // nothing queued behind it: sent on its own
        offerAll(queue, "b", "c", "d", "e");

        sink.completeHeld();

        assertThat(sink.log).containsExactly("a", "batch", "b", "c", "d", "e", "flush");
        events.assertNone();
    }

    @Test
    void aShortBacklogIsNotWorthABatch() {
        BatchingSink sink = new BatchingSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        sink.holdNextSend();
        queue.offer("a");
        offerAll(queue, "b", "c", "d"); // two behind b: fewer than BATCH_MIN_QUEUED

        sink.completeHeld();

        assertThat(sink.log).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aSinkThatDoesNotBatchIsNeverFlushed() {
        BatchingSink sink = new BatchingSink();
        sink.refuseBatching();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        sink.holdNextSend();
        queue.offer("a");
        offerAll(queue, "b", "c", "d", "e");

        sink.completeHeld();

        assertThat(sink.log).containsExactly("a", "batch", "b", "c", "d", "e");
    }

    @Test
    void aPingFlushesTheBatchBeforeItGoesOut() {
        BatchingSink sink = new BatchingSink();
        OutboundQueue queue = new OutboundQueue(sink, DIRECT, 1_000, 100, events);
        sink.holdNextSend();
        queue.offer("a");
        offerAll(queue, "b", "c", "d", "e");
        queue.offerPing();
        queue.offer("f");

        sink.completeHeld();

        assertThat(sink.log).containsExactly("a", "batch", "b", "c", "d", "e", "flush", "ping", "f");
    }

    @Test
    void flushesPingsAndClosesRunOnTheBlockingExecutorAndSendingResumesOnADrainThread() {
        String[] runningOn = new String[1];
        ManualExecutor drains = new ManualExecutor("drain", runningOn);
        ManualExecutor blocking = new ManualExecutor("blocking", runningOn);
        BatchingSink sink = new BatchingSink(runningOn);
        OutboundQueue queue = new OutboundQueue(sink, new SendExecutors(drains, blocking), 1_000, 100, null, 0,
                events);
        offerAll(queue, "a", "b", "c", "d");
        queue.offerPing();
        queue.offer("e");
        queue.close(CloseCode.SHUTDOWN);

        while (!drains.tasks.isEmpty() || !blocking.tasks.isEmpty()) {
            drains.runAll();
            blocking.runAll();
        }

        assertThat(sink.log).containsExactly("batch@drain", "a@drain", "b@drain", "c@drain", "d@drain",
                "flush@blocking", "ping@blocking", "e@drain", "close 1001@blocking");
    }

    @Test
    void aBusySessionYieldsItsDrainThreadAfterOneTurn() {
        ManualExecutor drains = new ManualExecutor();
        BatchingSink sink = new BatchingSink();
        OutboundQueue queue = new OutboundQueue(sink, new SendExecutors(drains, DIRECT), 100_000, 1_000, null, 0,
                events);
        for (int i = 0; i < 3 * OutboundQueue.FRAMES_PER_TURN; i++) {
            queue.offer("m" + i);
        }

        drains.runOne();

        assertThat(sink.log.stream().filter(entry -> entry.startsWith("m"))).hasSize(OutboundQueue.FRAMES_PER_TURN);
        assertThat(sink.log).endsWith("flush");
        assertThat(drains.tasks).as("the rest waits for its next turn").hasSize(1);

        drains.runAll();

        assertThat(sink.log.stream().filter(entry -> entry.startsWith("m"))).hasSize(3 * OutboundQueue.FRAMES_PER_TURN)
                .endsWith("m" + (3 * OutboundQueue.FRAMES_PER_TURN - 1));
        assertThat(sink.log.stream().filter("flush"::equals)).hasSize(3);
        events.assertNone();
    }

    @Test
    void aFlushPendingLongerThanTheTimeLimitClosesTheSessionAsASlowConsumer() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            BatchingSink sink = new BatchingSink();
            sink.neverCompleteFlushes();
            OutboundQueue queue = new OutboundQueue(sink, SendExecutors.both(DIRECT), 1_000, 100, timer, 100, events);
            sink.holdNextSend();
            queue.offer("a");
            offerAll(queue, "b", "c", "d", "e");
            sink.completeHeld(); // b to e batched, then a flush that the stalled peer never lets finish

            await().atMost(Duration.ofSeconds(5)).until(() -> sink.log.contains("close 4008"));
            synchronized (events) {
                assertThat(events.failures).hasSize(1);
                assertThat(events.failures.get(0).get(1)).isEqualTo(CloseCode.SLOW_CONSUMER);
            }
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * Records frames, batch starts, flushes, pings and closes in one thread-safe log; completes
     * inline unless told to hold the next send or to never complete flushes.
     */
    private static final class BatchingSink implements FrameSink {
        final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Where {@link ManualExecutor}s say the current task runs; entries get "@" and its name. */
        private final String[] runningOn;
        private Consumer<Throwable> held;
        private boolean holdNext;
        private boolean stallFlushes;
        private boolean batches = true;

        BatchingSink() {
            this(new String[1]);
        }

        BatchingSink(String[] runningOn) {
            this.runningOn = runningOn;
        }

        private void record(String entry) {
            log.add(runningOn[0] == null ? entry : entry + "@" + runningOn[0]);
        }

        void holdNextSend() {
            holdNext = true;
        }

        void completeHeld() {
            Consumer<Throwable> done = held;
            held = null;
            done.accept(null);
        }

        void neverCompleteFlushes() {
            stallFlushes = true;
        }

        void refuseBatching() {
            batches = false;
        }

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            record(text);
            if (holdNext) {
                holdNext = false;
                held = done;
            } else {
                done.accept(null);
            }
        }

        @Override
        public void sendBinary(byte[] data, Consumer<Throwable> done) {
            sendText("binary", done);
        }

        @Override
        public void sendPing(Consumer<Throwable> done) {
            record("ping");
            done.accept(null);
        }

        @Override
        public boolean startBatch() {
            record("batch");
            return batches;
        }

        @Override
        public void flush(Consumer<Throwable> done) {
            record("flush");
            if (!stallFlushes) {
                done.accept(null);
            }
        }

        @Override
        public void close(CloseCode code) {
            record("close " + code.code());
        }
    }

    private static void offerAll(OutboundQueue queue, String... frames) {
        for (String frame : frames) {
            assertThat(queue.offer(frame)).isTrue();
        }
    }

    // --- test doubles ---

    /**
     * A sink that records every kind of frame as text: pings as "ping", binary frames as "binary:"
     * plus their bytes as ISO-8859-1 text, so tests see order and kind in one list.
     */
    private abstract static class RecordingTextSink implements FrameSink {
        @Override
        public void sendPing(Consumer<Throwable> done) {
            sendText("ping", done);
        }

        @Override
        public void sendBinary(byte[] data, Consumer<Throwable> done) {
            sendText("binary:" + new String(data, java.nio.charset.StandardCharsets.ISO_8859_1), done);
        }
    }

    /** Completes every send before returning; records the stack depth of each send. */
    private static final class InlineSink extends RecordingTextSink {
        final List<String> sent = new ArrayList<>();
        final List<CloseCode> closes = new ArrayList<>();
        int firstDepth = -1;
        int maxDepth;

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            if (sent.size() % 10_000 == 0) { // stack walks are slow: sample
                int depth = Thread.currentThread().getStackTrace().length;
                if (firstDepth < 0) {
                    firstDepth = depth;
                }
                maxDepth = Math.max(maxDepth, depth);
            }
            sent.add(text);
            done.accept(null);
        }

        @Override
        public void close(CloseCode code) {
            closes.add(code);
        }
    }

    @Test
    void aSendPendingLongerThanTheTimeLimitClosesTheSessionAsASlowConsumer() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledSink sink = new ScheduledSink(null); // never completes, as Tyrus leaves a send to a stalled reader
            OutboundQueue queue = new OutboundQueue(sink, SendExecutors.both(DIRECT), 1_000, 100, timer, 100, events);
            queue.offer("a");
            queue.offer("b");

            await().atMost(Duration.ofSeconds(5)).until(() -> !sink.closes.isEmpty());
            assertThat(sink.closes).containsExactly(CloseCode.SLOW_CONSUMER);
            synchronized (events) {
                assertThat(events.failures).hasSize(1);
                assertThat(events.failures.get(0).get(0)).isInstanceOf(TimeoutException.class);
                assertThat(events.failures.get(0).get(1)).isEqualTo(CloseCode.SLOW_CONSUMER);
                assertThat(events.discards).containsExactly(1);
            }
            assertThat(queue.offer("c")).isFalse();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void theTimeLimitAppliesToEachSendNotToABusySpell() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService network = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledSink sink = new ScheduledSink(network); // each send completes after 20 ms
            OutboundQueue queue = new OutboundQueue(sink, SendExecutors.both(DIRECT), 10_000, 100, timer, 200, events);
            for (int i = 0; i < 30; i++) { // some 600 ms of sends back to back, each well within 200 ms
                queue.offer("m" + i);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> sink.sent.size() == 30 && queue.queuedBytes() == 0);
            assertThat(sink.closes).isEmpty();
            events.assertNone();
        } finally {
            timer.shutdownNow();
            network.shutdownNow();
        }
    }

    /** Completes each send 20 ms later on {@code network}, or never if that is null; thread-safe. */
    private static final class ScheduledSink extends RecordingTextSink {
        final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<CloseCode> closes = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final ScheduledExecutorService network;

        ScheduledSink(ScheduledExecutorService network) {
            this.network = network;
        }

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            sent.add(text);
            if (network != null) {
                network.schedule(() -> done.accept(null), 20, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void close(CloseCode code) {
            closes.add(code);
        }
    }

    /** Holds each send until the test completes it; can switch to completing inline. */
    private static final class HeldSink extends RecordingTextSink {
        final List<String> sent = new ArrayList<>();
        final List<CloseCode> closes = new ArrayList<>();
        private final Queue<Consumer<Throwable>> pending = new ArrayDeque<>();
        private boolean inline;
        private Throwable inlineFailure;
        int maxOutstanding;

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            sent.add(text);
            if (inline) {
                done.accept(inlineFailure);
                return;
            }
            pending.add(done);
            maxOutstanding = Math.max(maxOutstanding, pending.size());
            assertThat(pending).as("sends in flight").hasSize(1);
        }

        void completeNext(Throwable failure) {
            Consumer<Throwable> done = pending.poll();
            assertThat(done).as("a send in flight").isNotNull();
            done.accept(failure);
        }

        void completeInlineFromNowOn() {
            inline = true;
        }

        void failInlineWith(Throwable failure) {
            inline = true;
            inlineFailure = failure;
        }

        @Override
        public void close(CloseCode code) {
            closes.add(code);
        }
    }

    /** Completes sends on another thread, sometimes inline; counts sends that overlap. */
    private static final class ConcurrentSink extends RecordingTextSink {
        final Queue<String> sent = new ConcurrentLinkedQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        private final Executor io;

        ConcurrentSink(Executor io) {
            this.io = io;
        }

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            if (inFlight.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            sent.add(text);
            Runnable complete = () -> {
                inFlight.decrementAndGet();
                done.accept(null);
            };
            if (ThreadLocalRandom.current().nextBoolean()) {
                complete.run();
            } else {
                io.execute(complete);
            }
        }

        @Override
        public void close(CloseCode code) {
            throw new AssertionError("unexpected close " + code);
        }
    }

    /** Completes every send at once; records from any thread. */
    private static final class ThreadSafeSink extends RecordingTextSink {
        final Queue<String> sent = new ConcurrentLinkedQueue<>();
        final Queue<CloseCode> closes = new ConcurrentLinkedQueue<>();

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            sent.add(text);
            done.accept(null);
        }

        @Override
        public void close(CloseCode code) {
            closes.add(code);
        }
    }

    /** Runs submitted tasks only when the test says so. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();
        private final String name;
        private final String[] runningOn;

        ManualExecutor() {
            this(null, new String[1]);
        }

        /** Names itself in {@code runningOn} while it runs a task. */
        ManualExecutor(String name, String[] runningOn) {
            this.name = name;
            this.runningOn = runningOn;
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runOne() {
            runningOn[0] = name;
            tasks.remove().run();
            runningOn[0] = null;
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                runOne();
            }
        }
    }

    /** Records every event; {@link #assertNone} fails on any. */
    private static final class RecordingEvents implements OutboundQueue.Events {
        final List<List<Long>> overflows = new ArrayList<>();
        final List<List<Object>> failures = new ArrayList<>();
        final List<Integer> discards = new ArrayList<>();

        @Override
        public synchronized void overflowed(long queuedBytes, int queuedFrames) {
            overflows.add(List.of(queuedBytes, (long) queuedFrames));
        }

        @Override
        public synchronized void sendFailed(Throwable failure, CloseCode code) {
            failures.add(List.of(failure, code));
        }

        @Override
        public synchronized void discarded(int count) {
            discards.add(count);
        }

        synchronized void assertNone() {
            assertThat(overflows).as("overflow events").isEmpty();
            assertThat(failures).as("send failure events").isEmpty();
            assertThat(discards).as("discard events").isEmpty();
        }
    }
}
