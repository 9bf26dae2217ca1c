package dev.switchboard.bench.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A soak run's publisher: open loop at a fixed rate through {@code POST
 * /api/v1/topics/{topic}/messages} with the API key, over the topics a {@link TopicChooser} (the
 * {@link CallPlan}'s current ones, or the feed) names. Each body is {@code {"data":{"t":<intended
 * send time, µs of System.nanoTime>, "pad":"xx…"}}}: {@code t} first, so receivers find it without reading the padding, and measured
 * from the intended time, so a request held up by the server shows as latency instead of a gap in
 * the schedule. The padding makes frames big enough for a stalled reader to pass the server's
 * bounds within the run.
 *
 * <p>Remembers each topic's last offset and the epoch from the 202 answers: the end-of-run check
 * compares every subscriber's position against them. One request at a time (the rate is modest),
 * on its own thread; the accessors are for the harness thread after {@link #stop}.
 */
public final class SoakPublisher {

    private static final byte[] OFFSET = Ascii.bytes("\"offset\":");
    private static final byte[] EPOCH = Ascii.bytes("\"epoch\":\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;
    private final double ratePerSecond;
    private final TopicChooser topics;
    private final String padding;
    private final Thread thread;
    private final Map<String, Long> lastOffsets = new HashMap<>();
    private volatile boolean running = true;
    private volatile long sent;
    private volatile long failures;
    private volatile String firstFailure;
    private volatile String epoch;
    private volatile long requestNanos;
    private volatile long maxRequestNanos;
    private long startNanos;
    private long stopNanos;

    /** Which topic publication {@code n}, due at {@code dueNanos}, goes to. */
    @FunctionalInterface
    public interface TopicChooser {
        String topic(long n, long dueNanos);
    }

    public SoakPublisher(String name, URI base, String apiKey, double ratePerSecond, TopicChooser topics, int paddingBytes) {
        this.base = base;
        this.apiKey = apiKey;
        this.ratePerSecond = ratePerSecond;
        this.topics = topics;
        this.padding = "x".repeat(paddingBytes);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        startNanos = start;
        for (long n = 0; running; n++) {
            long due = start + (long) (n * 1e9 / ratePerSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing by the clock, not synchronisation
            }
            if (!running) {
                break;
            }
            String topic = topics.topic(n, due);
            String body = "{\"data\":{\"t\":" + due / 1000 + ",\"pad\":\"" + padding + "\"}}";
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/topics/" + topic + "/messages"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long sentAt = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - sentAt;
                requestNanos += took;
                maxRequestNanos = Math.max(maxRequestNanos, took);
                if (response.statusCode() != 202) {
                    failed("HTTP " + response.statusCode() + " " + response.body());
                    continue;
                }
                byte[] answer = Ascii.bytes(response.body());
                long offset = Ascii.numberAfter(answer, 0, answer.length, OFFSET);
                synchronized (lastOffsets) {
                    lastOffsets.merge(topic, offset, Math::max);
                }
                if (epoch == null) {
                    int at = Ascii.indexOf(answer, 0, answer.length, EPOCH);
                    String rest = response.body().substring(at + EPOCH.length);
                    epoch = rest.substring(0, rest.indexOf('"'));
                }
                sent++;
            } catch (IOException e) {
                failed(e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopNanos = System.nanoTime();
    }

    private void failed(String why) {
        if (failures++ == 0) {
            firstFailure = why;
        }
    }

    /** Stops after the request in flight; afterwards {@link #lastOffsets} is final. */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
    }

    /** The last offset each topic got (topics published to at least once). */
    public Map<String, Long> lastOffsets() {
        synchronized (lastOffsets) {
            return Map.copyOf(lastOffsets);
        }
    }

    /** The server's epoch, from the first 202; null before it. */
    public String epoch() {
        return epoch;
    }

    public long sent() {
        return sent;
    }

    public long failures() {
        return failures;
    }

    public String firstFailure() {
        return firstFailure;
    }

    public double meanRequestMillis() {
        return sent == 0 ? 0 : requestNanos / 1e6 / sent;
    }

    public double maxRequestMillis() {
        return maxRequestNanos / 1e6;
    }

    /** Publications per second accepted from the start to the stop (or now). */
    public double achievedRate() {
        long end = stopNanos != 0 ? stopNanos : System.nanoTime();
        double seconds = (end - startNanos) / 1e9;
        return seconds <= 0 ? 0 : sent / seconds;
    }
}
