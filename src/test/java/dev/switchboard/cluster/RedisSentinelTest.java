package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code redis-sentinel://} URIs (SWITCHBOARD_REDIS_URI): a node finds the master through a real
 * Sentinel and uses it like a standalone Redis.
 */
class RedisSentinelTest {

    @Test
    void aNodeFindsTheMasterThroughSentinelAndUsesIt() {
        try (RedisServer master = RedisServer.startOwn();
                RedisServer.Sentinel sentinel = master.startSentinel("switchboard");
                RedisConnections connections = new RedisConnections(
                        "redis-sentinel://127.0.0.1:" + sentinel.port() + "#switchboard",
                        RedisConnections.DEFAULT_COMMAND_TIMEOUT)) {
            connections.commands().sync().set("sb:sentinel-test", "through sentinel");

            assertThat(master.call("GET", "sb:sentinel-test")).isEqualTo("through sentinel");
            assertThat(connections.isConnected()).isTrue();
        }
    }
}
