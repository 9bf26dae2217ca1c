package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.StreamPosition;
import dev.switchboard.broker.TopicLog;
import dev.switchboard.broker.TopicLogContract;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on a real Redis (the shared test server, flushed before each test), plus what only a
 * shared log does: announce each append, keep keys from living forever, survive a Redis restart
 * with a new epoch, and fail fast while Redis is away.
 */
class RedisTopicLogTest extends TopicLogContract {

    private static final Duration TIMEOUT = RedisConnections.DEFAULT_COMMAND_TIMEOUT;
    /** Short, so that the outage tests wait little; the shared connection keeps the default. */
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

    private static Jsonb jsonb;
    private static DeliveryCodec codec;
    private static RedisConnections connections;

    @BeforeAll
    static void connect() {
        jsonb = JsonbBuilder.create();
        codec = new DeliveryCodec(jsonb);
        connections = new RedisConnections(RedisServer.shared().uri(), TIMEOUT);
    }

    @AfterAll
    static void disconnect() throws Exception {
        connections.close();
        jsonb.close();
    }

    @BeforeEach
    void flush() {
        RedisServer.shared().flushAll();
    }

    @Override
    protected TopicLog newLog(HistoryPolicy history) {
        return new RedisTopicLog(connections, codec, history);
    }

    @Override
    protected Instant now() {
        return Instant.now();
    }

    /** History age is measured on Redis's clock (see RedisTopicLog): wait until it has moved on. */
    @Override
    protected void letTimePass(Duration duration) {
        long until = redisMillis(connections.commands().sync()) + duration.toMillis();
        await().atMost(duration.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> redisMillis(connections.commands().sync()) >= until);
    }

    @Test
    void everyAppendIsAnnouncedOnTheTopicChannelAtItsPosition() {
        List<String> announcements = new CopyOnWriteArrayList<>();
        try (RedisConnections listener = new RedisConnections(RedisServer.shared().uri(), TIMEOUT)) {
            listener.pubSub().addListener(messagesInto(announcements));
            listener.pubSub().sync().subscribe(RedisKeys.topicChannel("news"));
            TopicLog log = newLog(HISTORY);
            List<Delivery> appended = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Delivery message = message("news", "{\"n\":" + i + "}");
                StreamPosition position = log.append("news", message);
                appended.add(message.at(position.offset(), position.epoch()));
            }
            log.append("sport", message("sport", "1"));

            await().atMost(Duration.ofSeconds(5)).until(() -> announcements.size() >= 3);
            assertSameDeliveries(announcements.stream().map(text -> TopicAnnouncement.decode(codec, text)).toList(),
                    appended);
        }
    }

    @Test
    void concurrentAppendsAreAnnouncedInOffsetOrder() throws Exception {
        int threads = 4;
        int perThread = 200;
        List<String> announcements = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RedisConnections listener = new RedisConnections(RedisServer.shared().uri(), TIMEOUT)) {
            listener.pubSub().addListener(messagesInto(announcements));
            listener.pubSub().sync().subscribe(RedisKeys.topicChannel("busy"));
            TopicLog log = newLog(HISTORY);
            List<Future<?>> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                appenders.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        log.append("busy", message("busy", "1"));
                    }
                }));
            }
            for (Future<?> appender : appenders) {
                appender.get(30, TimeUnit.SECONDS);
            }

            int total = threads * perThread;
            await().atMost(Duration.ofSeconds(10)).until(() -> announcements.size() >= total);
            assertThat(announcements).extracting(text -> TopicAnnouncement.decode(codec, text).offset())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void everyKeyOfATopicExpiresAndTheEpochOutlivesTheHistory() {
        HistoryPolicy history = new HistoryPolicy(HISTORY_SIZE, Duration.ofMinutes(10));
        TopicLog log = newLog(history);
        int topics = 2_000;
        for (int i = 0; i < topics; i++) {
            log.append("topic-" + i, message("topic-" + i, "1"));
        }
        log.position("only-positioned");

        RedisCommands<String, String> redis = connections.commands().sync();
        List<String> keys = allKeys(redis);
        assertThat(keys).hasSize(2 * topics + 1 + 1); // meta and log per topic, one meta, the epoch counter
        for (String key : keys) {
            if (!key.equals(RedisKeys.EPOCH_COUNTER)) {
                assertThat(redis.pttl(key)).as("TTL of %s", key).isPositive();
            }
        }
        assertThat(redis.pttl(RedisKeys.topicLog("topic-7"))).isLessThanOrEqualTo(history.ttl().toMillis());
        assertThat(redis.pttl(RedisKeys.topicMeta("topic-7")))
                .isGreaterThan(history.ttl().plus(history.idleTopicTtl()).toMillis())
                .isGreaterThan(Duration.ofHours(23).toMillis());
    }

    @Test
    void scriptsRunAgainAfterRedisForgotThem() {
        TopicLog log = newLog(HISTORY);
        StreamPosition first = log.append("news", message("news", "1"));

        connections.commands().sync().scriptFlush();

        assertThat(log.append("news", message("news", "2"))).isEqualTo(new StreamPosition(2, first.epoch()));
        assertThat(log.read("news", new StreamPosition(0, first.epoch()), 2)).hasSize(2);
    }

    @Test
    void afterRedisRestartsWithoutPersistenceTheTopicIsInANewEpoch() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections own = new RedisConnections(server.uri(), SHORT_TIMEOUT)) {
            TopicLog log = new RedisTopicLog(own, codec, HISTORY);
            log.append("news", message("news", "1"));
            StreamPosition before = log.append("news", message("news", "2"));

            server.kill();
            server.restart();

            StreamPosition after = await().atMost(Duration.ofSeconds(10)).ignoreException(
                    ClusterUnavailableException.class).until(() -> log.position("news"), position -> true);
            assertThat(after.offset()).isZero();
            assertThat(after.epoch()).isNotEqualTo(before.epoch());
            assertThat(log.read("news", new StreamPosition(1, before.epoch()), 2)).isNull();
            assertThat(log.read("news", new StreamPosition(0, before.epoch()), 0)).isNull();
            assertThat(log.append("news", message("news", "3"))).isEqualTo(new StreamPosition(1, after.epoch()));
        }
    }

    @Test
    void whileRedisIsDownEveryCallFailsWithinTheCommandTimeout() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections own = new RedisConnections(server.uri(), SHORT_TIMEOUT)) {
            TopicLog log = new RedisTopicLog(own, codec, HISTORY);
            StreamPosition position = log.append("news", message("news", "1"));

            server.kill();

            // At once, before the client may have noticed, and again once it has.
            assertFailsFast(() -> log.append("news", message("news", "2")));
            await().atMost(Duration.ofSeconds(5)).until(() -> !own.commands().isOpen());
            assertFailsFast(() -> log.append("news", message("news", "2")));
            assertFailsFast(() -> log.position("news"));
            assertFailsFast(() -> log.read("news", new StreamPosition(0, position.epoch()), 1));
        }
    }

    @Test
    void aRedisThatDoesNotAnswerFailsTheCallAfterTheCommandTimeout() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections own = new RedisConnections(server.uri(), SHORT_TIMEOUT)) {
            TopicLog log = new RedisTopicLog(own, codec, HISTORY);
            log.position("news"); // the scripts are loaded: what times out is the call itself

            server.pause(Duration.ofSeconds(3));

            long start = System.nanoTime();
            assertThatThrownBy(() -> log.append("news", message("news", "1")))
                    .isInstanceOf(ClusterUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(SHORT_TIMEOUT.minusMillis(50),
                    SHORT_TIMEOUT.plusSeconds(1));
        }
    }

    private static void assertFailsFast(Runnable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run).isInstanceOf(ClusterUnavailableException.class)
                .hasMessageContaining("topic news").hasMessageNotContaining("\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SHORT_TIMEOUT.plusSeconds(1));
    }

    private static long redisMillis(RedisCommands<String, String> redis) {
        List<String> time = redis.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    private static List<String> allKeys(RedisCommands<String, String> redis) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }

    private static RedisPubSubAdapter<String, String> messagesInto(List<String> received) {
        return new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received.add(message);
            }
        };
    }
}
