package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TopicLog} promises, run against each implementation: the in-memory one
 * ({@link InMemoryTopicLogTest}) and the one on Redis (RedisTopicLogTest). Memory-only behaviour
 * (the {@link MemoryBudget}, sweeping idle topics) is in {@link BrokerMemoryTest}.
 */
public abstract class TopicLogContract {

    /** How many messages the default policy keeps per topic. */
    protected static final int HISTORY_SIZE = 10;
    protected static final HistoryPolicy HISTORY = new HistoryPolicy(HISTORY_SIZE, Duration.ofHours(1));
    private static final int THREADS = 8;
    private static final int APPENDS_PER_THREAD = 500;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private TopicLog log;
    private int ids;

    /** A log with {@code history}, over a store emptied for this test; may be called more than once per test. */
    protected abstract TopicLog newLog(HistoryPolicy history);

    /** Now, for the timestamps of the messages appended (the broker stamps them with its clock). */
    protected abstract Instant now();

    /** Returns once the log's clock has moved on by at least {@code duration}. */
    protected abstract void letTimePass(Duration duration);

    @BeforeEach
    void makeLog() {
        log = newLog(HISTORY);
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void offsetsStartAtOneAndGrowByOnePerMessageInOneEpoch() {
        List<StreamPosition> positions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            positions.add(log.append("news", message("news", "{\"n\":" + i + "}")));
        }

        assertThat(positions).extracting(StreamPosition::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(positions).extracting(StreamPosition::epoch).containsOnly(positions.get(0).epoch()).doesNotContainNull();
        assertThat(log.position("news")).isEqualTo(positions.get(4));
    }

    @Test
    void topicsHaveTheirOwnOffsetsAndEpochs() {
        log.append("news", message("news", "1"));
        log.append("news", message("news", "2"));

        StreamPosition sport = log.append("sport", message("sport", "1"));

        assertThat(sport.offset()).isEqualTo(1);
        assertThat(sport.epoch()).isNotEqualTo(log.position("news").epoch());
        assertThat(log.position("news").offset()).isEqualTo(2);
    }

    @Test
    void anUnknownTopicIsAtOffsetZeroInAnEpochThatItKeeps() {
        StreamPosition first = log.position("news");

        assertThat(first.offset()).isZero();
        assertThat(first.epoch()).isNotBlank();
        assertThat(log.position("news")).isEqualTo(first);
        assertThat(log.append("news", message("news", "1"))).isEqualTo(new StreamPosition(1, first.epoch()));
    }

    @Test
    void readReturnsExactlyTheMessagesAfterFromWithTheirPositions() {
        List<Delivery> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Delivery message = message("news", "{\"n\":" + i + ",\"text\":\"caf\u00e9 \\\"quoted\\\"\\n\"}");
            StreamPosition position = log.append("news", message);
            appended.add(message.at(position.offset(), position.epoch()));
        }
        String epoch = appended.get(0).epoch();

        List<Delivery> read = log.read("news", new StreamPosition(1, epoch), 4);

        assertSameDeliveries(read, appended.subList(1, 4));
        assertSameDeliveries(log.read("news", new StreamPosition(0, epoch), 5), appended);
    }

    @Test
    void readThroughMoreThanTheLastOffsetStopsAtTheLastOffset() {
        StreamPosition last = null;
        for (int i = 0; i < 3; i++) {
            last = log.append("news", message("news", Integer.toString(i)));
        }

        assertThat(log.read("news", new StreamPosition(1, last.epoch()), 100)).extracting(Delivery::offset)
                .containsExactly(2L, 3L);
    }

    @Test
    void readOfNothingIsEmpty() {
        StreamPosition last = log.append("news", message("news", "1"));
        log.append("news", message("news", "2"));

        assertThat(log.read("news", last, last.offset())).isEmpty();
        assertThat(log.read("news", new StreamPosition(2, last.epoch()), 2)).isEmpty();
        assertThat(log.read("other", log.position("other"), 0)).as("a topic with no message yet").isEmpty();
    }

    @Test
    void readOfMoreThanTheHistoryHoldsIsNull() {
        StreamPosition last = null;
        for (int i = 0; i < HISTORY_SIZE + 1; i++) {
            last = log.append("news", message("news", Integer.toString(i)));
        }

        assertThat(log.read("news", new StreamPosition(0, last.epoch()), last.offset()))
                .as("offset 1 fell out of the history").isNull();
        assertThat(log.read("news", new StreamPosition(1, last.epoch()), last.offset())).extracting(Delivery::offset)
                .containsExactlyElementsOf(LongStream.rangeClosed(2, HISTORY_SIZE + 1).boxed().toList());
    }

    @Test
    void readInAnotherEpochIsNull() {
        StreamPosition last = log.append("news", message("news", "1"));
        log.append("news", message("news", "2"));

        assertThat(log.read("news", new StreamPosition(0, last.epoch() + "-other"), 2)).isNull();
        assertThat(log.read("news", new StreamPosition(1, "no-such-epoch"), 1)).as("even reading nothing").isNull();
        assertThat(log.read("unknown", new StreamPosition(0, last.epoch()), 1)).as("a topic never used").isNull();
    }

    @Test
    void readFromBeyondTheLastOffsetIsNull() {
        StreamPosition last = log.append("news", message("news", "1"));

        assertThat(log.read("news", new StreamPosition(2, last.epoch()), 5)).isNull();
        assertThat(log.read("news", new StreamPosition(2, last.epoch()), 2)).as("even reading nothing").isNull();
    }

    @Test
    void aHistoryOfSizeZeroKeepsNothing() {
        TopicLog none = newLog(new HistoryPolicy(0, Duration.ofHours(1)));
        none.append("news", message("news", "1"));
        StreamPosition last = none.append("news", message("news", "2"));

        assertThat(last.offset()).isEqualTo(2);
        assertThat(none.read("news", new StreamPosition(1, last.epoch()), 2)).isNull();
        assertThat(none.read("news", last, 2)).isEmpty();
    }

    @Test
    void historyOlderThanTheTtlIsNotRead() {
        Duration ttl = Duration.ofMillis(500);
        TopicLog shortLived = newLog(new HistoryPolicy(HISTORY_SIZE, ttl));
        StreamPosition first = shortLived.append("news", message("news", "1"));
        shortLived.append("news", message("news", "2"));
        StreamPosition start = new StreamPosition(0, first.epoch());
        assertThat(shortLived.read("news", start, 2)).hasSize(2);

        letTimePass(ttl.plusMillis(1));

        assertThat(shortLived.read("news", start, 2)).isNull();
        assertThat(shortLived.position("news")).as("the topic keeps its position").isEqualTo(
                new StreamPosition(2, first.epoch()));
        StreamPosition third = shortLived.append("news", message("news", "3"));
        assertThat(third).isEqualTo(new StreamPosition(3, first.epoch()));
        assertThat(shortLived.read("news", new StreamPosition(2, first.epoch()), 3)).extracting(Delivery::offset)
                .containsExactly(3L);
    }

    @Test
    void historyIsBoundedInBytesPerTopic() {
        // Each message is 1-1.3 kB however the implementation counts it (heap estimate or stored bytes).
        TopicLog small = newLog(new HistoryPolicy(100, Duration.ofHours(1), 2_600, Duration.ofMinutes(1)));
        String payload = "\"" + "x".repeat(1000) + "\"";
        StreamPosition last = null;
        for (int i = 0; i < 5; i++) {
            last = small.append("big", message("big", payload));
        }

        assertThat(small.read("big", new StreamPosition(3, last.epoch()), 5)).extracting(Delivery::offset)
                .containsExactly(4L, 5L);
        assertThat(small.read("big", new StreamPosition(2, last.epoch()), 5)).isNull();
    }

    @Test
    void binaryPayloadsKeepTheirBytesAndContentType() {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Delivery message = Delivery.toTopicBinary(nextId(), "files", 0, null, body, "application/octet-stream", now());

        StreamPosition position = log.append("files", message);
        List<Delivery> read = log.read("files", new StreamPosition(0, position.epoch()), 1);

        assertSameDeliveries(read, List.of(message.at(1, position.epoch())));
        assertThat(read.get(0).isBinary()).isTrue();
        assertThat(read.get(0).binaryBody()).isEqualTo(body);
        assertThat(read.get(0).contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void eightThreadsAppendingToOneTopicGetEveryOffsetExactlyOnce() throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Callable<List<Long>> appender = () -> {
                start.await(10, TimeUnit.SECONDS);
                List<Long> offsets = new ArrayList<>(APPENDS_PER_THREAD);
                for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                    offsets.add(log.append("busy", message("busy", "\"" + thread + "-" + i + "\"")).offset());
                }
                return offsets;
            };
            futures.add(pool.submit(appender));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> future : futures) {
            List<Long> offsets = future.get(60, TimeUnit.SECONDS);
            assertThat(offsets).as("each thread sees its own offsets rise").isSorted();
            all.addAll(offsets);
        }

        int total = THREADS * APPENDS_PER_THREAD;
        assertThat(all).hasSize(total).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        StreamPosition position = log.position("busy");
        assertThat(position.offset()).isEqualTo(total);
        assertThat(log.read("busy", new StreamPosition(total - HISTORY_SIZE, position.epoch()), total))
                .extracting(Delivery::offset)
                .containsExactlyElementsOf(LongStream.rangeClosed(total - HISTORY_SIZE + 1, total).boxed().toList());
    }

    /** A topic message as the broker hands it to the log: no offset, no epoch. */
    protected final Delivery message(String topic, String dataJson) {
        return Delivery.toTopic(nextId(), topic, 0, null, dataJson, now());
    }

    private synchronized String nextId() {
        return "m-" + ++ids;
    }

    /** Every field equal (a Delivery has no equals: it caches encodings). */
    protected static void assertSameDeliveries(List<Delivery> actual, List<Delivery> expected) {
        assertThat(actual).isNotNull().hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("delivery %d", i).usingRecursiveComparison().ignoringFields("encodings")
                    .isEqualTo(expected.get(i));
        }
    }
}
