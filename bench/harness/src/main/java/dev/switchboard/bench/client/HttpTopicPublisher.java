package dev.switchboard.bench.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop publisher through the HTTP API ({@code POST /api/v1/topics/{topic}/messages} with
 * {@code Authorization: Bearer <api key>}, docs/http-api.md), on its own thread with the JDK
 * client. Message i is due at start + i / rate and carries that intended time as {@code t}.
 *
 * <p>One request at a time, on purpose: concurrent requests may be accepted out of order, which
 * the subscribers would count as sequence gaps. The rates of a fan-out run are low (deliveries
 * per second / subscribers, tens to hundreds per second), and a late request only shows as
 * latency because {@code t} is the intended time.
 */
public final class HttpTopicPublisher implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final String apiKey;
    private final double ratePerSecond;
    private final long firstSeq;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastSeq;
    private volatile int failures;
    private volatile String firstFailure;
    private volatile long requests;
    private volatile long requestNanos;
    private volatile long startNanos;

    public HttpTopicPublisher(URI base, String topic, String apiKey, double ratePerSecond, long firstSeq) {
        this.uri = base.resolve("/api/v1/topics/" + topic + "/messages");
        this.apiKey = apiKey;
        this.ratePerSecond = ratePerSecond;
        this.firstSeq = firstSeq;
        this.lastSeq = firstSeq - 1;
        this.thread = new Thread(this::run, "http-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        startNanos = start;
        for (long i = 0; running; i++) {
            long due = start + (long) (i * 1e9 / ratePerSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing by the clock, not synchronisation
            }
            if (!running) {
                return;
            }
            long seq = firstSeq + i;
            String body = "{\"data\":{\"t\":" + due / 1000 + ",\"seq\":" + seq + "}}";
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long sentAt = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                requestNanos += System.nanoTime() - sentAt;
                requests++;
                if (response.statusCode() != 202) {
                    failed("HTTP " + response.statusCode() + " " + response.body());
                }
            } catch (IOException e) {
                failed(e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            lastSeq = seq;
        }
    }

    private void failed(String why) {
        if (failures++ == 0) {
            firstFailure = why;
        }
    }

    /** Stops after the request in flight; returns the last sequence number sent. */
    public long stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        return lastSeq;
    }

    /** Mean time of one request (send to response), in ms. */
    public double meanRequestMillis() {
        return requests == 0 ? 0 : requestNanos / 1e6 / requests;
    }

    /** Publications per second actually sent since the start (below the rate: the server was too slow to answer). */
    public double achievedRate() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds <= 0 ? 0 : requests / seconds;
    }

    public int failures() {
        return failures;
    }

    public String firstFailure() {
        return firstFailure;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
