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

/** The load generator end to end against the raw peer, in this JVM, over loopback. */
class LoadClientAgainstRawServerTest {

    private static final int SUBSCRIBERS = 20;

    private RawFanoutServer server;
    private LoadClient client;

    @BeforeEach
    void start() throws Exception {
        server = RawFanoutServer.listen(0);
        Thread serving = new Thread(() -> {
            try {
                server.serve();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "raw-server");
        serving.setDaemon(true);
        serving.start();
        client = new LoadClient(new InetSocketAddress("127.0.0.1", server.port()), "bench",
                List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3")));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void everySubscriberGetsEveryPublicationInOrder() throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            specs.add(new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, "token", "sub-" + i));
        }
        specs.add(new ConnectionSpec(Protocol.NATIVE, Role.PUBLISHER, "token", "publisher"));
        ConnectionBatch batch = client.open(specs, 8);

        assertThat(batch.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(batch.ready()).isEqualTo(SUBSCRIBERS + 1);
        assertThat(batch.handshakesPerSecond()).isPositive();

        client.startPublisher(PublisherPlan.atRate(100));
        assertThat(client.awaitPrimed(SUBSCRIBERS, 10, TimeUnit.SECONDS)).isTrue();
        client.stopPublisher();
        assertThat(client.awaitDrained(SUBSCRIBERS, 10, TimeUnit.SECONDS)).isTrue();

        client.startPublisher(PublisherPlan.saturating(4));
        client.startWindow();
        Thread.sleep(300); // a measurement window, timed by the clock
        WindowStats stats = client.endWindow();
        client.stopPublisher();

        assertThat(client.awaitDrained(SUBSCRIBERS, 10, TimeUnit.SECONDS)).isTrue();
        assertThat(stats.deliveries()).isPositive();
        assertThat(stats.latency().getTotalCount()).isEqualTo(stats.deliveries());
        WindowStats totals = client.totals();
        assertThat(totals.gaps()).isZero();
        assertThat(totals.reorders()).isZero();
        assertThat(totals.unexpectedCloses()).isZero();
        assertThat(totals.problems()).isEmpty();
    }
}
