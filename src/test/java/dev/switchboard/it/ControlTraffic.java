package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The bystander of the attack suite: a native session subscribed to a topic of its own, fed by
 * {@value #PUBLISHERS} native sessions that publish in turn at a steady {@value #RATE_PER_SECOND}
 * messages per second in all (each well under a per-session inbound limit of 100 frames per second),
 * each message carrying its sequence number and the test JVM's {@code System.nanoTime()} when it was sent.
 * The subscriber stamps each message when it arrives, so latency is publisher to subscriber
 * through the server under attack.
 *
 * <p>As a JUnit extension ({@link #beside}), it runs around every test of a class: it starts before
 * the test (subscribed, first message seen) and, after it, stops publishing and asserts that every
 * message arrived, in order per publisher, with a p99 latency under {@value #P99_LIMIT_MS} ms, and that neither
 * session was closed. The figures go to the test log and {@link AttackFigures}.
 */
final class ControlTraffic implements BeforeEachCallback, AfterEachCallback {

    static final int RATE_PER_SECOND = 200;
    static final int PUBLISHERS = 4;
    /** The server sessions the control traffic holds while it runs: its subscriber and publishers. */
    static final int SESSIONS = 1 + PUBLISHERS;
    static final long P99_LIMIT_MS = 100;
    /** The fewest messages measured per test: a second of traffic. */
    static final int MIN_MESSAGES = 200;
    /** Messages sent and received before the attack starts, left out of the latency figures. */
    static final int WARM_UP_MESSAGES = 40;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Latency figures of one run: every message, in milliseconds. */
    record Figures(int sent, int received, int missing, int outOfOrder, double p50, double p99, double max) {
        @Override
        public String toString() {
            return String.format("sent %d, received %d, missing %d, out of order %d, p50 %.1f ms, p99 %.1f ms,"
                    + " max %.1f ms", sent, received, missing, outOfOrder, p50, p99, max);
        }
    }

    /** How the control sessions get their tokens (a server that checks {@code aud} needs its own). */
    interface Tokens {
        String token(String user, String... roles);
    }

    private final ServerProcess server;
    private final Tokens tokens;
    private Run run;

    private ControlTraffic(ServerProcess server, Tokens tokens) {
        this.server = server;
        this.tokens = tokens;
    }

    /** Control traffic around every test of a class, on {@code server}. */
    static ControlTraffic beside(ServerProcess server) {
        return new ControlTraffic(server, TestTokens::token);
    }

    /** The same, with tokens minted by {@code tokens}. */
    static ControlTraffic beside(ServerProcess server, Tokens tokens) {
        return new ControlTraffic(server, tokens);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        run = Run.start(server, tokens, "control-" + INSTANCES.incrementAndGet());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Run finished = run;
        run = null;
        Figures figures = finished.stop();
        AttackFigures.record(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod()
                .getName(), "control client: " + figures);
        assertThat(finished.closeReason()).as("control sessions closed during the attack").isNull();
        assertThat(figures.missing()).as("control messages lost: %s", figures).isZero();
        assertThat(figures.outOfOrder()).as("control messages out of order: %s", figures).isZero();
        if (finished.latencyWaiver == null) {
            assertThat(figures.p99()).as("control p99 latency: %s", figures).isLessThan(P99_LIMIT_MS);
        } else {
            AttackFigures.record(context.getRequiredTestMethod().getName(), "p99 over the whole test not asserted: "
                    + finished.latencyWaiver);
        }
    }

    /**
     * Asserts the p99 of the traffic so far, and waives the p99 assertion over the whole test for
     * what follows, for the reason given (it is written to the figures): for a known weakness that a
     * test documents with a figure rather than hides behind a lower count. Losses and order are
     * still asserted at the end.
     */
    void assertP99SoFarAndWaiveTheRest(String reason) {
        Figures soFar = figuresSoFar();
        assertThat(soFar.p99()).as("control p99 latency so far: %s", soFar).isLessThan(P99_LIMIT_MS);
        run.latencyWaiver = reason;
    }

    /** The figures so far, without stopping: for a test that paces an attack by them. */
    Figures figuresSoFar() {
        return run.figures(run.sent.get());
    }

    /** One subscriber and its publishers, running. */
    private static final class Run {
        private final String topic;
        private final ConcurrentLinkedQueue<long[]> arrivals = new ConcurrentLinkedQueue<>();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicReference<String> closeReason = new AtomicReference<>();
        private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "control-publisher");
            thread.setDaemon(true);
            return thread;
        });
        /** The first sequence number whose latency counts (set once, before the attack). */
        private volatile long measuredFrom;
        /** Why the p99 of the whole test is not asserted, or null (it is). */
        private volatile String latencyWaiver;
        private Session subscriber;
        private final List<ChannelClient> publishers = new ArrayList<>();

        private Run(String topic) {
            this.topic = topic;
        }

        static Run start(ServerProcess server, Tokens tokens, String topic) throws Exception {
            Run run = new Run(topic);
            run.open(server, tokens);
            return run;
        }

        private void open(ServerProcess server, Tokens tokens) throws Exception {
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            subscriber = SharedTyrusClient.INSTANCE.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session session, EndpointConfig config) {
                    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                        long now = System.nanoTime();
                        if (text.contains("\"type\":\"message\"")) {
                            JsonObject data = ChannelClient.JSONB.fromJson(text, JsonObject.class).getJsonObject("data");
                            arrivals.add(new long[] {data.getJsonNumber("seq").longValue(),
                                    data.getJsonNumber("t").longValue(), now});
                        } else if (text.contains("\"type\":\"subscribed\"")) {
                            subscribed.complete(null);
                        }
                    });
                }

                @Override
                public void onClose(Session session, CloseReason reason) {
                    closeReason.compareAndSet(null, "subscriber: " + reason);
                }
            }, ClientEndpointConfig.Builder.create().build(),
                    ChannelClient.channelUri(server, tokens.token(topic + "-subscriber"), topic + "-subscriber"));
            subscriber.getBasicRemote().sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            subscribed.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < PUBLISHERS; i++) {
                ChannelClient publisher = ChannelClient.connect(server,
                        tokens.token(topic + "-publisher-" + i, "publisher"), topic + "-publisher-" + i);
                publisher.expect("welcome");
                publishers.add(publisher);
            }
            long periodMicros = 1_000_000 / RATE_PER_SECOND;
            pacer.scheduleAtFixedRate(this::publishOne, 0, periodMicros, TimeUnit.MICROSECONDS);
            // The first message through shows the path works before the attack starts.
            // Warm-up: the first messages through a fresh server and client JVM are slow for reasons of
            // their own (class loading, JIT); latency is measured from the attack's start.
            await("control warm-up").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                    .until(() -> arrivals.size() >= WARM_UP_MESSAGES);
            measuredFrom = sent.get();
        }

        private void publishOne() {
            long seq = sent.get();
            try {
                publishers.get((int) (seq % PUBLISHERS)).send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"seq\":" + seq
                        + ",\"t\":" + System.nanoTime() + "}}");
                sent.incrementAndGet();
            } catch (Exception e) {
                closeReason.compareAndSet(null, "publisher: " + e);
                throw new IllegalStateException(e); // cancels the schedule
            }
        }

        /** Stops publishing, waits up to 10 s for the messages in flight, and closes both sessions. */
        Figures stop() throws Exception {
            // At least MIN_MESSAGES after the warm-up, so that even a short attack is measured by a meaningful p99.
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                        .until(() -> sent.get() >= measuredFrom + MIN_MESSAGES || closeReason.get() != null);
            } catch (ConditionTimeoutException e) {
                // The publisher fell behind: the figures below say by how much.
            }
            pacer.shutdown();
            assertThat(pacer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            long total = sent.get();
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                        .until(() -> arrivals.size() >= total || closeReason.get() != null);
            } catch (ConditionTimeoutException e) {
                // Reported as missing messages below, with the figures.
            }
            Figures figures = figures(total);
            for (ChannelClient publisher : publishers) {
                if (!publisher.isOpen() && closeReason.get() == null) {
                    closeReason.set("publisher closed");
                }
            }
            String beforeOurClose = closeReason.get();
            for (ChannelClient publisher : publishers) {
                publisher.close();
            }
            if (subscriber.isOpen()) {
                subscriber.close();
            }
            closeReason.set(beforeOurClose);
            return figures;
        }

        String closeReason() {
            return closeReason.get();
        }

        Figures figures(long total) {
            List<long[]> seen = new ArrayList<>(arrivals);
            BitSet got = new BitSet();
            // Sessions are ordered each by itself (docs/protocol.md, Delivery guarantees): order is checked per publisher.
            long[] last = new long[PUBLISHERS];
            Arrays.fill(last, -1);
            int outOfOrder = 0;
            double[] latencies = new double[seen.size()];
            int measured = 0;
            for (int i = 0; i < seen.size(); i++) {
                long[] arrival = seen.get(i);
                if (arrival[0] >= measuredFrom) {
                    latencies[measured++] = (arrival[2] - arrival[1]) / 1e6;
                }
                got.set((int) arrival[0]);
                int publisher = (int) (arrival[0] % PUBLISHERS);
                if (arrival[0] < last[publisher]) {
                    outOfOrder++;
                }
                last[publisher] = arrival[0];
            }
            latencies = Arrays.copyOf(latencies, measured);
            Arrays.sort(latencies);
            int missing = (int) total - got.get(0, (int) total).cardinality();
            return new Figures((int) total, seen.size(), missing, outOfOrder, percentile(latencies, 0.50),
                    percentile(latencies, 0.99), latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
        }

        private static double percentile(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }
    }
}
