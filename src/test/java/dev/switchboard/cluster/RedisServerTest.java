package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisServerTest {

    @Test
    void sharedServerIsOnePerJvmAndAnswers() {
        RedisServer server = RedisServer.shared();

        assertThat(RedisServer.shared()).isSameAs(server);
        assertThat(server.call("PING")).isEqualTo("PONG");
        assertThat(server.uri()).endsWith(":" + server.port());
    }

    @Test
    void flushAllEmptiesTheServer() {
        RedisServer server = RedisServer.shared();
        server.call("SET", "flush-me", "1");

        server.flushAll();

        assertThat(server.call("DBSIZE")).isEqualTo("0");
    }

    @Test
    void restartAfterKillKeepsPortAndAppendOnlyData() {
        try (RedisServer server = RedisServer.startOwn(true)) {
            server.call("SET", "survivor", "yes");

            server.kill();
            assertThat(refusesConnections(server.port())).isTrue();
            server.restart();

            assertThat(server.call("GET", "survivor")).isEqualTo("yes");
        }
    }

    @Test
    void pauseHoldsOtherClientsCommands() {
        try (RedisServer server = RedisServer.startOwn()) {
            server.pause(Duration.ofMillis(500));

            long start = System.nanoTime();
            assertThat(server.call("PING")).isEqualTo("PONG");

            // Redis releases paused clients on its ~100 ms cron, so the wait is at least the pause less a tick.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(350));
        }
    }

    @Test
    void embeddedBinaryFromTheTestClassPathServes() {
        RedisServer.Binary embedded = RedisServer.binary(RedisServer.Source.EMBEDDED);
        try (RedisServer server = RedisServer.startOwn(embedded, false)) {
            assertThat(embedded.path()).startsWith(Path.of(System.getProperty("basedir", "."), "target", "redis"));
            assertThat(server.version()).startsWith("6.2.");
            assertThat(server.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void aServerFromRedisUrlIsUsedButCannotBeKilled() {
        try (RedisServer own = RedisServer.startOwn()) {
            RedisServer external = RedisServer.external("redis://127.0.0.1:" + own.port());

            assertThat(external.usesOwnProcess()).isFalse();
            assertThat(external.call("PING")).isEqualTo("PONG");
            assertThatThrownBy(external::kill).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("REDIS_URL").hasMessageContaining("startOwn()");
            assertThatThrownBy(external::restart).isInstanceOf(IllegalStateException.class);
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
