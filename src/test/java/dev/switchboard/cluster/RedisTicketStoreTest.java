package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.TicketStore;
import dev.switchboard.broker.TicketStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ticket store contract on a real Redis, each node with its own connections. */
class RedisTicketStoreTest extends TicketStoreContract {

    private static RedisConnections nodeA;
    private static RedisConnections nodeB;

    @BeforeAll
    static void connect() {
        nodeA = new RedisConnections(RedisServer.shared().uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
        nodeB = new RedisConnections(RedisServer.shared().uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void disconnect() {
        nodeA.close();
        nodeB.close();
    }

    @BeforeEach
    void flush() {
        RedisServer.shared().flushAll();
    }

    @Override
    protected TicketStore store() {
        return new RedisTicketStore(nodeA);
    }

    @Override
    protected TicketStore storeOnAnotherNode() {
        return new RedisTicketStore(nodeB);
    }

    @Test
    void redisHoldsNoTicketItselfOnlyItsDigestSoThatReadingRedisOpensNoSession() {
        String ticket = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        store().put(ticket, "{\"sub\":\"u\"}", Duration.ofSeconds(30));

        var keys = nodeA.commands().sync().keys("*");
        assertThat(keys).hasSize(1).allSatisfy(key -> assertThat(key).startsWith("sb:ticket:{").doesNotContain(ticket));
        assertThat(storeOnAnotherNode().take(ticket)).contains("{\"sub\":\"u\"}");
    }

    /** Redis expires keys by its own clock: await the expiry, bounded. */
    @Override
    protected void expire(Duration duration, java.util.function.BooleanSupplier expired) {
        await().atMost(duration.plusSeconds(2)).until(expired::getAsBoolean);
    }
}
