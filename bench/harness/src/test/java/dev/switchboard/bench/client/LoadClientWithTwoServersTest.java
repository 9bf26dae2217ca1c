package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.peer.RawFanoutServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator with two servers (as for two cluster nodes): connections go to the server
 * their spec names, and deliveries, latency and reach are kept per server. Two raw peers, which
 * do not talk to each other: only the publisher's server delivers.
 */
class LoadClientWithTwoServersTest {

    private final List<RawFanoutServer> servers = new ArrayList<>();
    private LoadClient client;

    @BeforeEach
    void start() throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RawFanoutServer server = RawFanoutServer.listen(0);
            servers.add(server);
            Thread serving = new Thread(() -> {
                try {
                    server.serve();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "raw-server-" + i);
            serving.setDaemon(true);
            serving.start();
            addresses.add(new InetSocketAddress("127.0.0.1", server.port()));
        }
        client = new LoadClient(addresses, "bench", List.of(InetAddress.getByName("127.0.0.2")));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        for (RawFanoutServer server : servers) {
            server.close();
        }
    }

    @Test
    void connectionsGoToTheirServerAndFiguresAreKeptPerServer() throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, "token", "sub-" + i, i % 2));
        }
        specs.add(new ConnectionSpec(Protocol.NATIVE, Role.PUBLISHER, "token", "publisher", 1));
        ConnectionBatch batch = client.open(specs, 8);
        assertThat(batch.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.subscribersReadyByNode()).containsExactly(3, 3);

        client.startPublisher(PublisherPlan.atRate(200));
        client.startWindow();
        long[] reached = client.awaitReachedByNode(5, new int[] {0, 3}, 10, TimeUnit.SECONDS);
        WindowStats stats = client.endWindow();
        client.stopPublisher();

        assertThat(reached[0]).isPositive(); // nobody needed on server 0
        assertThat(reached[1]).isPositive();
        assertThat(stats.deliveriesByNode()[0]).isZero();
        assertThat(stats.deliveriesByNode()[1]).isPositive();
        assertThat(stats.latencyByNode().get(1).getTotalCount()).isEqualTo(stats.deliveriesByNode()[1]);
        assertThat(client.awaitReachedByNode(1_000_000, new int[] {1, 0}, 200, TimeUnit.MILLISECONDS)[0]).isEqualTo(-1);
    }
}
