package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The slow-consumer bound measured from outside, past every buffer on the way (docs/architecture.md,
 * Principles: proven from outside): a reader that stops reading while 200 MiB are published to its topic is
 * closed with 4008 within the send time limit, a healthy reader of the same topic gets every
 * message in order, and the server's live heap never holds more than a few outbound bounds.
 *
 * <p>The stalled reader offers {@code permessage-deflate} as every browser does, and the messages
 * are as compressible as real JSON often is: that is how a paused reader once kept a session open
 * while 60 MB of messages were sent to it, compressed into its few hundred KB of socket buffers.
 * Loopback buffers can take tens of megabytes (tcp_rmem max is 32 MiB here), so 200 MiB is well
 * past them.
 */
@ContainerMatrix
class StalledReaderMemoryIT {

    private static final String TOPIC = "stalled-memory";
    private static final String STALLED_CHANNEL = "memory-stalled";
    private static final String STALLED_USER = "memory-stalled-reader";
    /** The defaults, named here because the assertions are made of them. */
    private static final long OUTBOUND_MAX_BYTES = 4L * 1024 * 1024;
    private static final long SEND_TIMEOUT_MS = 10_000;
    private static final int PAYLOAD_CHARS = 32 * 1024;
    private static final int MESSAGES = (int) (200L * 1024 * 1024 / PAYLOAD_CHARS);
    /** Published before the reader stalls: 32 MiB. */
    private static final int WARM_UP_MESSAGES = 1024;
    /** Compressible on purpose (see the class comment). */
    private static final String PADDING = "x".repeat(PAYLOAD_CHARS - 40);
    /**
     * How many messages the publisher may run ahead of the healthy reader: 1 MiB, a quarter of
     * its bound, so that only the stalled reader can pass the bound. Flow control, not
     * synchronisation: the publisher goes as fast as a healthy reader reads.
     */
    private static final int WINDOW = 32;
    private static final int CLOSE_PROBE_EVERY = 64;

    /*
     * history.size 10: history is bounded by its own settings (and budget), not by this test; with
     * the default 1,000 messages of 32 KiB it would hold 32 MiB or more and hide what is measured.
     */
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("stalled-memory", Map.of("history.size", "10",
            "api.rate", "0")); // 200 MiB published through the API as fast as the healthy reader reads
    private static final HttpApi api = HttpApi.withApiKeyOverHttp11(server);

    @Test
    void aReaderThatStopsReadingIsClosedWithinTheSendTimeoutAndTheHeapStaysWithinItsBoundWhile200MibPass()
            throws Exception {
        Semaphore window = new Semaphore(WINDOW);
        try (SequenceCheckingClient healthy = SequenceCheckingClient.connect(server, TestTokens.token("memory-healthy"),
                "memory-healthy", window::release);
                StalledSocketClient stalled = StalledSocketClient.connectOfferingCompression(server,
                        TestTokens.token(STALLED_USER), STALLED_CHANNEL)) {
            assertThat(stalled.upgradeResponse().toLowerCase()).as("extensions negotiated")
                    .doesNotContain("sec-websocket-extensions");
            healthy.subscribe(TOPIC);
            await("healthy subscription confirmed").atMost(Duration.ofSeconds(10))
                    .until(() -> healthy.isSubscribed(TOPIC));
            // The container's own pools and caches grow with its first traffic (Payara's by some
            // 20 MB): the baseline is taken after the same traffic, with nobody stalled yet.
            for (int seq = 1; seq <= WARM_UP_MESSAGES; seq++) {
                publish(seq, window, healthy);
            }
            stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
            await("stalled reader subscribed").atMost(Duration.ofSeconds(10))
                    .until(() -> presence().contains("\"" + STALLED_USER + "\""));
            long slowConsumersBefore = slowConsumersClosed();
            long heapBefore = ServerHeap.usedAfterGc(server, api);
            long heapDuring = 0;

            long started = System.nanoTime();
            long stalledClosedNanos = -1;
            for (int seq = WARM_UP_MESSAGES + 1; seq <= WARM_UP_MESSAGES + MESSAGES; seq++) {
                publish(seq, window, healthy);
                if (stalledClosedNanos < 0 && seq % CLOSE_PROBE_EVERY == 0 && !stalledChannelOpen()) {
                    stalledClosedNanos = System.nanoTime() - started;
                }
                if (seq == WARM_UP_MESSAGES + MESSAGES / 2) {
                    heapDuring = ServerHeap.usedAfterGc(server, api);
                }
            }
            long publishedNanos = System.nanoTime() - started;
            if (stalledClosedNanos < 0) {
                await("stalled channel released").atMost(Duration.ofMillis(SEND_TIMEOUT_MS + 5_000))
                        .until(() -> !stalledChannelOpen());
                stalledClosedNanos = System.nanoTime() - started;
            }
            await("every message at the healthy reader").atMost(Duration.ofSeconds(30))
                    .until(() -> healthy.topicMessages() >= WARM_UP_MESSAGES + MESSAGES || healthy.isClosed());
            long heapAfter = ServerHeap.usedAfterGc(server, api);
            System.out.printf("StalledReaderMemoryIT[%s]: %d messages of %d KiB (%d MiB) published in %.1f s; stalled"
                    + " reader closed %.1f s after the first; server heap after GC: before %.1f MB, halfway %.1f MB,"
                    + " after %.1f MB (bound %.1f MB above before)%n", server.deploymentName(), MESSAGES,
                    PAYLOAD_CHARS / 1024, (long) MESSAGES * PAYLOAD_CHARS >> 20, publishedNanos / 1e9,
                    stalledClosedNanos / 1e9, heapBefore / 1e6, heapDuring / 1e6, heapAfter / 1e6,
                    3 * OUTBOUND_MAX_BYTES / 1e6);

            assertThat(stalledClosedNanos).as("nanoseconds until the stalled reader was closed")
                    .isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(SEND_TIMEOUT_MS + 5_000));
            assertThat(slowConsumersClosed()).isEqualTo(slowConsumersBefore + 1);
            await("slow-consumer log line").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(server.output().lines()).anyMatch(line -> line.contains(STALLED_CHANNEL)
                            && line.contains("4008")));
            assertThat(healthy.closeDescription()).as("healthy reader closed").isNull();
            assertThat(healthy.violations()).as("order at the healthy reader").isEmpty();
            assertThat(healthy.topicMessages()).isEqualTo(WARM_UP_MESSAGES + MESSAGES);
            assertThat(healthy.lastSeq(TOPIC, 0)).isEqualTo(WARM_UP_MESSAGES + MESSAGES);
            assertThat(heapDuring).as("heap after GC halfway").isLessThanOrEqualTo(heapBefore + 3 * OUTBOUND_MAX_BYTES);
            assertThat(heapAfter).as("heap after GC at the end").isLessThanOrEqualTo(heapBefore + 3 * OUTBOUND_MAX_BYTES);
        }
    }

    /** Publishes message {@code seq} once the healthy reader is less than {@link #WINDOW} messages behind. */
    private static void publish(int seq, Semaphore window, SequenceCheckingClient healthy) throws Exception {
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the healthy reader took nothing for 30 s at seq " + seq + " ("
                    + healthy.closeDescription() + ", " + healthy.violations() + ")");
        }
        HttpApi.Response published = api.post("/api/v1/topics/" + TOPIC + "/messages",
                "{\"data\":{\"p\":0,\"seq\":" + seq + ",\"pad\":\"" + PADDING + "\"}}");
        assertThat(published.status()).as("publish %d", seq).isEqualTo(202);
    }

    private static boolean stalledChannelOpen() throws Exception {
        HttpApi.Response response = api.get("/api/v1/channels");
        assertThat(response.status()).isEqualTo(200);
        return response.body().contains("\"" + STALLED_CHANNEL + "\"");
    }

    private static long slowConsumersClosed() throws Exception {
        HttpApi.Response response = api.get("/api/v1/stats");
        assertThat(response.status()).isEqualTo(200);
        return response.json().getJsonObject("total").getJsonNumber("slowConsumersClosed").longValue();
    }

    private static String presence() throws Exception {
        HttpApi.Response response = api.get("/api/v1/topics/" + TOPIC + "/presence");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }
}
