package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RedisConnectionsTest {

    private static final Duration TIMEOUT = RedisConnections.DEFAULT_COMMAND_TIMEOUT;

    @Test
    void connectsAndAnswersPing() {
        try (RedisConnections redis = new RedisConnections(RedisServer.shared().uri(), TIMEOUT)) {
            assertThat(redis.isConnected()).isTrue();
            assertThat(redis.commands().sync().ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aPublicationReachesTheSubscriber() {
        try (RedisConnections redis = new RedisConnections(RedisServer.shared().uri(), TIMEOUT)) {
            List<String> received = new CopyOnWriteArrayList<>();
            redis.pubSub().addListener(messagesInto(received));
            redis.pubSub().sync().subscribe("redis-connections-test");

            redis.commands().sync().publish("redis-connections-test", "hello");

            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("hello"));
        }
    }

    @Test
    void afterRedisComesBackTheListenerRunsOnItsOwnThreadWithSubscriptionsRestored() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections redis = new RedisConnections(server.uri(), TIMEOUT)) {
            List<String> received = new CopyOnWriteArrayList<>();
            redis.pubSub().addListener(messagesInto(received));
            redis.pubSub().sync().subscribe("redis-connections-test");
            List<String> listenerThreads = new CopyOnWriteArrayList<>();
            redis.onPubSubReconnected(() -> {
                listenerThreads.add(Thread.currentThread().getName());
                // Published from outside as soon as the listener runs: lost unless SUBSCRIBE is already back.
                server.call("PUBLISH", "redis-connections-test", "while the listener runs");
            });
            redis.onPubSubReconnected(() -> {
                throw new IllegalStateException("a failing listener must not stop the others");
            });
            List<String> afterFailing = new CopyOnWriteArrayList<>();
            redis.onPubSubReconnected(() -> afterFailing.add("ran"));

            server.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> !redis.isConnected());
            // REJECT_COMMANDS: a call during the outage fails at once instead of waiting for Redis.
            long start = System.nanoTime();
            assertThatThrownBy(() -> redis.commands().sync().get("any")).isInstanceOf(RedisException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
            assertThat(listenerThreads).isEmpty();

            server.restart();

            await().atMost(Duration.ofSeconds(10)).until(() -> listenerThreads.size() == 1);
            assertThat(listenerThreads).containsExactly("switchboard-redis-events");
            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("while the listener runs"));
            await().atMost(Duration.ofSeconds(5)).until(() -> afterFailing.size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(redis::isConnected);
            redis.commands().sync().publish("redis-connections-test", "after restart");
            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("after restart"));
        }
    }

    @Test
    void anUnreachableRedisFailsFastWithAOneLineMessageNamingTheSetting() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        long start = System.nanoTime();
        assertThatThrownBy(() -> new RedisConnections("redis://:s3cret@127.0.0.1:" + closedPort, TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_REDIS_URI")
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aUriThatIsNotRedisNamesTheSetting() {
        assertThatThrownBy(() -> new RedisConnections("http://127.0.0.1:6379", TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_REDIS_URI");
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
