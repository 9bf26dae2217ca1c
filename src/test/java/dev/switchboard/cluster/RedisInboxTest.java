package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.Inbox;
import dev.switchboard.broker.InboxContract;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.TestDeliveries;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbox contract on a real Redis, each node with its own {@link RedisConnections}, plus what
 * only the Redis inbox does: key expiry, cleaning the due set, batches, scripts Redis forgot,
 * outages.
 */
class RedisInboxTest extends InboxContract {

    private static final Duration TIMEOUT = RedisConnections.DEFAULT_COMMAND_TIMEOUT;

    private static Jsonb jsonb;
    private static DeliveryCodec codec;
    private static RedisConnections nodeA;
    private static RedisConnections nodeB;

    private final MutableClock clock = MutableClock.atFixedInstant();
    private RedeliveryPolicy policy;
    private int ids;

    @BeforeAll
    static void connect() {
        jsonb = JsonbBuilder.create();
        codec = new DeliveryCodec(jsonb);
        nodeA = new RedisConnections(RedisServer.shared().uri(), TIMEOUT);
        nodeB = new RedisConnections(RedisServer.shared().uri(), TIMEOUT);
    }

    @AfterAll
    static void disconnect() throws Exception {
        nodeA.close();
        nodeB.close();
        jsonb.close();
    }

    @Override
    protected Inbox newInbox(RedeliveryPolicy policy) {
        RedisServer.shared().flushAll();
        this.policy = policy;
        return new RedisInbox(nodeA, codec, policy);
    }

    @Override
    protected Inbox sameInboxOnAnotherNode() {
        return new RedisInbox(nodeB, codec, policy);
    }

    @Test
    void everyKeyOfARecipientExpiresWithinTheInboxTtl() {
        RedisInbox inbox = new RedisInbox(nodeA, codec, POLICY);
        Delivery pending = message("alice");
        Delivery dead = message("alice");
        inbox.add("user:alice", pending, clock.instant());
        inbox.add("user:alice", dead, clock.instant());
        inbox.markSent("user:alice", pending.id(), clock.instant());
        inbox.kill("user:alice", dead.id(), "given up", clock.instant());

        RedisCommands<String, String> redis = nodeA.commands().sync();
        assertThat(redis.keys("sb:inbox:*")).containsExactlyInAnyOrder(RedisKeys.inbox("user:alice"),
                RedisKeys.inboxOrder("user:alice"), RedisKeys.deadLetters("user:alice"));
        for (String key : redis.keys("sb:inbox:*")) {
            assertThat(redis.pttl(key)).as(key).isPositive().isLessThanOrEqualTo(POLICY.inboxTtl().toMillis());
        }
    }

    @Test
    void aHundredThousandRecipientsWhoseMessagesWereAckedLeaveNoKeyBehind() throws Exception {
        RedisInbox inbox = new RedisInbox(nodeA, codec, POLICY);
        int recipients = 100_000;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < recipients; i += threads) {
                        String recipient = "user:user-" + i;
                        Delivery delivery = TestDeliveries.toUser("m" + i, "user-" + i, null, "1", clock.instant(), true);
                        inbox.add(recipient, delivery, clock.instant());
                        inbox.markSent(recipient, delivery.id(), clock.instant());
                        assertThat(inbox.acknowledge(recipient, delivery.id())).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(nodeA.commands().sync().dbsize()).isZero();
    }

    @Test
    void claimDueForgetsDueMessagesWhoseKeysExpired() {
        RedisInbox inbox = new RedisInbox(nodeA, codec, POLICY);
        Delivery delivery = message("alice");
        inbox.add("user:alice", delivery, clock.instant());
        inbox.markSent("user:alice", delivery.id(), clock.instant());
        RedisCommands<String, String> redis = nodeA.commands().sync();
        // What the keys' TTL does when nobody writes to the recipient for a whole TTL.
        redis.del(RedisKeys.inbox("user:alice"), RedisKeys.inboxOrder("user:alice"));
        assertThat(redis.zcard(RedisKeys.INBOX_DUE)).isOne();

        clock.advance(Duration.ofSeconds(1));

        assertThat(inbox.claimDue(clock.instant(), Duration.ofSeconds(5))).isEmpty();
        assertThat(redis.dbsize()).isZero();
    }

    @Test
    void claimDueClaimsEveryDueMessageBeyondOneBatch() {
        int count = RedisInbox.CLAIM_BATCH * 2 + 1;
        RedisInbox inbox = new RedisInbox(nodeA, codec, new RedeliveryPolicy(5, Duration.ofSeconds(1),
                Duration.ofSeconds(4), count, Duration.ofDays(1), 2));
        for (int i = 0; i < count; i++) {
            Delivery delivery = message("alice");
            inbox.add("user:alice", delivery, clock.instant());
            inbox.markSent("user:alice", delivery.id(), clock.instant());
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(inbox.claimDue(clock.instant(), Duration.ofSeconds(5))).hasSize(count)
                .extracting(due -> due.entry().delivery().id()).doesNotHaveDuplicates();
        assertThat(inbox.claimDue(clock.instant(), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void scriptsRedisForgotAreSentAgain() {
        RedisInbox inbox = new RedisInbox(nodeA, codec, POLICY);
        Delivery delivery = message("alice");
        inbox.add("user:alice", delivery, clock.instant());

        nodeA.commands().sync().scriptFlush();

        assertThat(inbox.pending("user:alice", clock.instant())).hasSize(1);
        assertThat(inbox.acknowledge("user:alice", delivery.id())).isTrue();
    }

    @Test
    void aRedisOutageIsAClusterUnavailableException() {
        try (RedisServer server = RedisServer.startOwn();
                RedisConnections connections = new RedisConnections(server.uri(), Duration.ofMillis(500))) {
            RedisInbox inbox = new RedisInbox(connections, codec, POLICY);
            inbox.add("user:alice", message("alice"), clock.instant());

            server.kill();

            assertThatThrownBy(() -> inbox.pending("user:alice", clock.instant()))
                    .isInstanceOf(ClusterUnavailableException.class)
                    .hasMessageStartingWith("Redis inbox pending failed: ")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> inbox.deadLetters("user:alice")).isInstanceOf(ClusterUnavailableException.class);
        }
    }

    @Test
    void shedFreesNothingInThisProcess() {
        RedisInbox inbox = new RedisInbox(nodeA, codec, POLICY);
        inbox.add("user:alice", message("alice"), clock.instant());

        assertThat(inbox.shed()).isZero();
        assertThat(inbox.pending("user:alice", clock.instant())).hasSize(1);
    }

    private Delivery message(String user) {
        return TestDeliveries.toUser("r" + ids++, user, null, "\"hello\"", clock.instant(), true);
    }
}
