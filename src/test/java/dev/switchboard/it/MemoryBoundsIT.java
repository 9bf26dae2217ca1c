package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing grows forever, seen from outside (issue 10): topics a session used and left are
 * forgotten, and topic history stays within the memory budget however much is published. The
 * server runs with its default budget (25 % of its 512 MB heap) and forgets idle topics at once.
 */
class MemoryBoundsIT {

    private static final Logger LOG = System.getLogger(MemoryBoundsIT.class.getName());

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("memory-bounds", Map.of("topic.idle.ms", "0",
            // one session subscribes to 100,000 topics as fast as it can: no cap, no inbound rate
            "max.subscriptions.per.session", "0", "inbound.rate", "0", "inbound.bytes.rate", "0",
            "api.rate", "0")); // and 10,400 API publishes from four threads
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void topicsASessionSubscribedToAndLeftAreForgotten() throws Exception {
        int topics = 100_000;
        int batch = 1_000;
        double before = metric("switchboard_topics"); // the other test's topics keep their history
        long started = System.nanoTime();
        try (ChannelClient visitor = ChannelClient.connect(server, TestTokens.token("visitor"), "memory-visitor")) {
            visitor.expect("welcome");
            for (int from = 0; from < topics; from += batch) {
                for (int i = from; i < from + batch; i++) {
                    visitor.send("{\"type\":\"subscribe\",\"topic\":\"call-" + i + "\"}");
                }
                for (int i = from; i < from + batch; i++) {
                    visitor.expect("subscribed");
                }
            }
            assertThat(metric("switchboard_topics")).isGreaterThanOrEqualTo(before + topics);
        }
        LOG.log(Level.INFO, "{0} topics subscribed in {1} ms", topics, (System.nanoTime() - started) / 1_000_000);

        await("topics forgotten after the session closed").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(metric("switchboard_topics")).isLessThanOrEqualTo(before));
        assertThat(metric("switchboard_subscriptions")).isZero();
    }

    @Test
    void historyStaysWithinTheBudgetWhateverIsPublished() throws Exception {
        // 40 topics x 16 MiB (the per-topic bound) is more than the whole 512 MB heap: only the
        // global budget keeps this from an OutOfMemoryError.
        int topicCount = 40;
        int perTopic = 260;
        String body = "{\"data\":\"" + "x".repeat(64 * 1024) + "\"}";
        double budget = metric("switchboard_memory_budget_bytes");
        String epochOfFirst = api.post("/api/v1/topics/big-0/messages", body).json().getString("epoch");
        AtomicInteger published = new AtomicInteger(1);
        List<Double> historyBytesSeen = new ArrayList<>();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        long started = System.nanoTime();
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int publisher = p;
                runs.add(publishers.submit(() -> {
                    HttpApi own = HttpApi.withApiKey(server);
                    for (int i = publisher; i < topicCount * perTopic; i += 4) {
                        HttpApi.Response response = own.post("/api/v1/topics/big-" + i % topicCount + "/messages",
                                body);
                        assertThat(response.status()).isEqualTo(202);
                        published.incrementAndGet();
                    }
                    return null;
                }));
            }
            while (!runs.stream().allMatch(Future::isDone)) {
                long probe = System.nanoTime();
                historyBytesSeen.add(metric("switchboard_history_bytes"));
                assertThat(Duration.ofNanos(System.nanoTime() - probe)).as("metrics answer while publishing")
                        .isLessThan(Duration.ofSeconds(2));
                TimeUnit.MILLISECONDS.sleep(250); // sampling interval of the probe, not a wait for a result
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            publishers.shutdownNow();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        double historyBytes = metric("switchboard_history_bytes");
        LOG.log(Level.INFO, "{0} messages of 64 KiB published in {1} ms; history {2} B of a {3} B budget, "
                + "{4} evicted, max seen {5} B", published.get(), millis, historyBytes, budget,
                metric("switchboard_history_evicted_total"),
                historyBytesSeen.stream().mapToDouble(Double::doubleValue).max().orElse(0));

        assertThat((double) published.get() * 64 * 1024).as("published well past the budget").isGreaterThan(4 * budget);
        // While one publish frees memory, the other three may each add their message first.
        double overshoot = 4 * (64 * 1024 + 1024);
        assertThat(historyBytesSeen).allSatisfy(seen -> assertThat(seen).isLessThanOrEqualTo(budget + overshoot));
        assertThat(historyBytes).isLessThanOrEqualTo(budget).isGreaterThan(budget / 2);
        assertThat(metric("switchboard_history_evicted_total")).isPositive();
        assertThat(server.output()).doesNotContain("OutOfMemoryError");
        assertThat(server.isAlive()).isTrue();
        assertThat(api.get("/health/live").status()).isEqualTo(200);

        // What the budget evicted is not replayed: the first message of big-0 is gone.
        try (ChannelClient late = ChannelClient.connect(server, TestTokens.token("late"), "memory-late")) {
            late.expect("welcome");
            late.send("{\"type\":\"subscribe\",\"topic\":\"big-0\",\"since\":{\"offset\":0,\"epoch\":\""
                    + epochOfFirst + "\"}}");
            JsonObject answer = late.expect("subscribed");
            assertThat(answer.getString("epoch")).isEqualTo(epochOfFirst);
            assertThat(answer.getBoolean("recovered")).isFalse();
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A gauge or counter without labels from {@code /metrics}. */
    private static double metric(String name) throws Exception {
        URI uri = server.uri("/metrics");
        String text = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(text);
        if (!matcher.find()) {
            throw new AssertionError(name + " not in /metrics:\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
