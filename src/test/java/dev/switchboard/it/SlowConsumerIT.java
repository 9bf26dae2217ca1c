package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault injection: a subscriber that stops reading is closed with 4008 and hurts no one else
 * (docs/architecture.md: a slow socket can only hurt its own session; docs/protocol.md, Close codes: 4008), whether
 * its queue passes the frame bound or one send to it passes the send time limit.
 */
@ContainerMatrix
class SlowConsumerIT {

    private static final String TOPIC = "slow-feed";
    private static final String STALLED_CHANNEL = "slow-stalled";
    private static final String STALLED_USER = "stalled-reader";
    private static final int HEALTHY_SUBSCRIBERS = 10;
    private static final int MESSAGES = 100_000;
    /**
     * How far the publisher may run ahead of the slowest healthy subscriber. Without a window the
     * in-band publisher outruns ten Tyrus readers sharing two cores with the server, and a healthy
     * subscriber whose queue legitimately passes the bound would be closed too. Half the bound
     * below, so a healthy subscriber never comes near it.
     */
    private static final int WINDOW = 500;
    private static final int LATENCY_BLOCK = 10_000;
    /**
     * Makes each frame about 440 bytes, 44 MB over the run: well past all that may lie between the
     * server and the stalled reader before a send waits (socket buffers of a few MiB and, on Payara,
     * Grizzly's write queue of some 16 MiB). With ~140-byte frames the 14 MB in all did not always
     * get past Payara's buffering, and the stalled reader was then closed by the heart-beat (4001).
     */
    private static final String PADDING = "x".repeat(300);
    /** How often the publishing loop asks the server whether it has dealt with the stalled reader. */
    private static final int PROGRESS_PROBE_EVERY = 2_000;

    /*
     * outbound.max.messages 1000 makes the stall detectable quickly: once what lies on the way to
     * the stalled socket is full (see PADDING), its queue grows by one frame per publish and passes
     * 1,000 about a thousand publishes later, well before the 100,000 are through. The 10,000
     * default could need a tenth of the run.
     * send.timeout.ms 2000 bounds how long one send to a dead reader may block its session's
     * sender (the second test's subject), instead of the 10 s default; in the first test it is far
     * longer than the overflow takes, so there the 4008 comes from the queue bound ("Slow
     * consumer: closing session").
     * heartbeat.ms 10 minutes keeps the heart-beat (4001 after two silent 25 s intervals, by default) out
     * of the first test: on a loaded machine the publisher may need more than 25 s to fill what lies
     * on the way to the stalled reader, and the heart-beat then closed it before its queue overflowed.
     * outbound.max.bytes 64 MiB (4 MiB default) is never reached here: in the second test the frame
     * bound and the character bound both stay out of the way, so only the send time limit can act.
     */
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("slow-consumer",
            Map.of("outbound.max.messages", "1000", "send.timeout.ms", "2000", "outbound.max.bytes", "67108864",
                    "heartbeat.ms", "600000",
                    "inbound.rate", "0", "inbound.bytes.rate", "0")); // the in-band publisher sends 100,000 at full speed
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void aReaderThatStopsReadingIsClosedWith4008WhileTenOthersGetAllHundredThousandInOrder() throws Exception {
        List<SequenceCheckingClient> healthy = new ArrayList<>();
        List<Semaphore> windows = new ArrayList<>();
        try (StalledSocketClient stalled = StalledSocketClient.connect(server, TestTokens.token(STALLED_USER),
                STALLED_CHANNEL);
                ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("feeder", "publisher"),
                        "slow-publisher")) {
            for (int i = 0; i < HEALTHY_SUBSCRIBERS; i++) {
                Semaphore window = new Semaphore(WINDOW);
                windows.add(window);
                SequenceCheckingClient client = SequenceCheckingClient.connect(server, TestTokens.token("healthy-" + i),
                        "slow-healthy-" + i, window::release);
                healthy.add(client);
                client.subscribe(TOPIC);
            }
            stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
            publisher.expect("welcome");
            await("healthy subscriptions confirmed").atMost(Duration.ofSeconds(10))
                    .until(() -> healthy.stream().allMatch(client -> client.isSubscribed(TOPIC)));
            // The stalled client cannot read its 'subscribed': the server's presence list tells.
            await("stalled reader subscribed").atMost(Duration.ofSeconds(10))
                    .until(() -> presence(TOPIC).contains("\"" + STALLED_USER + "\""));
            assertThat(openChannels()).contains("\"" + STALLED_CHANNEL + "\"");
            long slowConsumersBefore = slowConsumersClosed();

            long[] sendNanos = new long[MESSAGES];
            long windowWaitNanos = 0;
            // For the report only: by which seq the server had closed the stalled session.
            int closedBySeq = 0;
            int releasedBySeq = 0;
            long started = System.nanoTime();
            for (int seq = 1; seq <= MESSAGES; seq++) {
                long waitStarted = System.nanoTime();
                for (int i = 0; i < HEALTHY_SUBSCRIBERS; i++) {
                    // Flow control towards the healthy readers, not synchronisation: blocks only while
                    // one of them is WINDOW messages behind.
                    if (!windows.get(i).tryAcquire(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("healthy subscriber " + healthy.get(i) + " took nothing for 30 s at seq "
                                + seq + " (" + healthy.get(i).closeDescription() + ", violations "
                                + healthy.get(i).violations() + ")");
                    }
                }
                long sendStarted = System.nanoTime();
                windowWaitNanos += sendStarted - waitStarted;
                publisher.send("{\"type\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":{\"p\":0,\"seq\":" + seq
                        + ",\"pad\":\"" + PADDING + "\"}}");
                sendNanos[seq - 1] = System.nanoTime() - sendStarted;
                if (seq % PROGRESS_PROBE_EVERY == 0 && releasedBySeq == 0) {
                    if (closedBySeq == 0 && slowConsumersClosed() > slowConsumersBefore) {
                        closedBySeq = seq;
                    }
                    if (!openChannels().contains("\"" + STALLED_CHANNEL + "\"")) {
                        releasedBySeq = seq;
                    }
                }
            }
            long publishedNanos = System.nanoTime() - started;

            await("all " + MESSAGES + " messages at every healthy subscriber").atMost(Duration.ofSeconds(30))
                    .until(() -> healthy.stream().allMatch(client -> client.topicMessages() >= MESSAGES
                            || client.isClosed()));
            printLatencySummary(sendNanos, publishedNanos, windowWaitNanos);
            System.out.printf("SlowConsumerIT: stalled reader's receive buffer %d bytes; server counted it as a slow"
                    + " consumer by seq %s, released its channel by seq %s (probed every %d)%n",
                    stalled.receiveBufferSize(), closedBySeq == 0 ? "-" : closedBySeq,
                    releasedBySeq == 0 ? "-" : releasedBySeq, PROGRESS_PROBE_EVERY);

            for (SequenceCheckingClient client : healthy) {
                assertThat(client.closeDescription()).as("%s was closed", client).isNull();
                assertThat(client.violations()).as("order at %s", client).isEmpty();
                assertThat(client.topicMessages()).as("messages at %s", client).isEqualTo(MESSAGES);
                assertThat(client.subscribedOffset(TOPIC)).as("subscribed offset at %s", client).isZero();
                assertThat(client.lastOffset(TOPIC)).as("last offset at %s", client).isEqualTo(MESSAGES);
                assertThat(client.lastSeq(TOPIC, 0)).as("last seq at %s", client).isEqualTo(MESSAGES);
            }
            assertThat(publisher.isOpen()).isTrue();
            assertThat(publisher.pendingFrames()).as("frames (errors) sent to the publisher").isZero();

            // The stalled session cannot read its close frame: ask the server what it did.
            await("stalled channel released").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(openChannels()).doesNotContain("\"" + STALLED_CHANNEL + "\""));
            assertThat(openChannels()).contains("\"slow-publisher\"", "\"slow-healthy-0\"", "\"slow-healthy-9\"");
            assertThat(presence(TOPIC)).doesNotContain("\"" + STALLED_USER + "\"");
            assertThat(api.get("/api/v1/users/" + STALLED_USER + "/sessions").json().getJsonArray("sessions")).isEmpty();
            assertThat(slowConsumersClosed()).isGreaterThanOrEqualTo(slowConsumersBefore + 1);
            await("slow-consumer log line").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(server.output().lines().filter(line -> line.contains("Slow consumer: closing session")))
                            .anyMatch(line -> line.contains(STALLED_CHANNEL))
                            .noneMatch(line -> line.contains("slow-healthy-") || line.contains("slow-publisher")));
            for (SequenceCheckingClient client : healthy) {
                assertThat(client.closeDescription()).as("%s was closed", client).isNull();
            }
        } finally {
            for (SequenceCheckingClient client : healthy) {
                client.close();
            }
        }
    }

    @Test
    void aReaderStalledWithLittleQueuedIsClosedWith4008OnceASendTakesLongerThanTheSendTimeout() throws Exception {
        String topic = "timeout-feed";
        String stalledChannel = "timeout-stalled";
        // 40 KB each, 36 MB in all. What lies on the way to the stalled reader fills first: socket
        // buffers (a few MiB, about twice that behind nginx) and, on Payara, Grizzly's write queue,
        // which takes up to 4 times the socket's send buffer (some 16 MiB) before a send stays
        // pending. The rest stays queued, below 1,000 frames and 64 MiB, so only the 2 s send time
        // limit can close it.
        int messages = 900;
        String padding = "x".repeat(40_000);
        try (StalledSocketClient stalled = StalledSocketClient.connect(server, TestTokens.token("timeout-reader"),
                stalledChannel);
                ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("timeout-feeder", "publisher"),
                        "timeout-publisher");
                SequenceCheckingClient healthy = SequenceCheckingClient.connect(server, TestTokens.token("timeout-healthy"),
                        "timeout-healthy")) {
            healthy.subscribe(topic);
            stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            publisher.expect("welcome");
            await("subscriptions confirmed").atMost(Duration.ofSeconds(10))
                    .until(() -> healthy.isSubscribed(topic) && presence(topic).contains("\"timeout-reader\""));
            long slowConsumersBefore = slowConsumersClosed();

            for (int seq = 1; seq <= messages; seq++) {
                publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"p\":0,\"seq\":" + seq
                        + ",\"pad\":\"" + padding + "\"}}");
            }

            await("every message at the healthy subscriber").atMost(Duration.ofSeconds(30))
                    .until(() -> healthy.topicMessages() >= messages || healthy.isClosed());
            assertThat(healthy.closeDescription()).isNull();
            assertThat(healthy.violations()).isEmpty();
            assertThat(healthy.lastOffset(topic)).isEqualTo(messages);
            // The send time limit is 2 s; closing may take as long again.
            await("stalled channel released").atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(openChannels()).doesNotContain("\"" + stalledChannel + "\""));
            assertThat(slowConsumersClosed()).isGreaterThanOrEqualTo(slowConsumersBefore + 1);
            await("log line of the 4008").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(server.output().lines()).anyMatch(line -> line.contains(stalledChannel)
                            && line.contains("4008")));
            assertThat(openChannels()).contains("\"timeout-publisher\"", "\"timeout-healthy\"");
            assertThat(publisher.pendingFrames()).as("frames (errors) sent to the publisher").isZero();
            assertThat(healthy.closeDescription()).isNull();
        }
    }

    private static String openChannels() throws Exception {
        HttpApi.Response response = api.get("/api/v1/channels");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private static long slowConsumersClosed() throws Exception {
        HttpApi.Response response = api.get("/api/v1/stats");
        assertThat(response.status()).isEqualTo(200);
        return response.json().getJsonObject("total").getJsonNumber("slowConsumersClosed").longValue();
    }

    private static String presence(String topic) throws Exception {
        HttpApi.Response response = api.get("/api/v1/topics/" + topic + "/presence");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    /** Reported, never asserted: speed targets belong to benchmarks. */
    private static void printLatencySummary(long[] sendNanos, long publishedNanos, long windowWaitNanos) {
        StringBuilder summary = new StringBuilder();
        summary.append(String.format("SlowConsumerIT: published %,d messages in %.1f s (%,.0f/s); waited %.1f s in total"
                + " for the slowest healthy reader (window %d)%n", sendNanos.length, publishedNanos / 1e9,
                sendNanos.length / (publishedNanos / 1e9), windowWaitNanos / 1e9, WINDOW));
        summary.append("SlowConsumerIT: publisher send time per message, µs: ")
                .append(percentiles(sendNanos)).append(" (all)").append(System.lineSeparator());
        for (int from = 0; from < sendNanos.length; from += LATENCY_BLOCK) {
            long[] block = Arrays.copyOfRange(sendNanos, from, Math.min(from + LATENCY_BLOCK, sendNanos.length));
            summary.append(String.format("SlowConsumerIT:   seq %6d-%6d: %s%n", from + 1, from + block.length,
                    percentiles(block)));
        }
        System.out.print(summary);
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.0f, p99 %.0f, p99.9 %.0f, max %.0f", at(sorted, 0.50) / 1e3, at(sorted, 0.99) / 1e3,
                at(sorted, 0.999) / 1e3, sorted[sorted.length - 1] / 1e3);
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
