package dev.switchboard.bench.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop per-user push through Switchboard's HTTP API ({@code POST /api/v1/users/{user}/messages}),
 * round robin over {@code users}: push i goes to user i mod U and carries {@code {"t": <intended
 * time, µs>, "useq": i div U}}, so every user's session sees 0, 1, 2, ... and checks it.
 *
 * <p>Up to {@code maxInFlight} requests at once (the JDK client, asynchronously): consecutive
 * pushes to one user are U requests apart, so they cannot overtake each other while U is larger
 * than {@code maxInFlight}. When all are in flight the pacing thread waits; the latency, taken from
 * the intended time, shows that.
 */
public final class HttpUserPusher {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;
    private final List<String> users;
    private final double ratePerSecond;
    private final Semaphore inFlight;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong requestNanos = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final int maxInFlight;
    private volatile long startNanos;

    public HttpUserPusher(URI base, String apiKey, List<String> users, double ratePerSecond, int maxInFlight) {
        if (users.size() <= maxInFlight) {
            throw new IllegalArgumentException("need more users than requests in flight to keep each user's order");
        }
        this.base = base;
        this.apiKey = apiKey;
        this.users = List.copyOf(users);
        this.ratePerSecond = ratePerSecond;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.thread = new Thread(this::run, "http-user-pusher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        startNanos = start;
        try {
            for (long i = 0; running; i++) {
                long due = start + (long) (i * 1e9 / ratePerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing by the clock, not synchronisation
                }
                inFlight.acquire();
                if (!running) {
                    inFlight.release();
                    return;
                }
                String user = users.get((int) (i % users.size()));
                long userSeq = i / users.size();
                String body = "{\"data\":{\"t\":" + due / 1000 + ",\"useq\":" + userSeq + "}}";
                HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/users/" + user + "/messages"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long sentAt = System.nanoTime();
                sent.incrementAndGet();
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                    requestNanos.addAndGet(System.nanoTime() - sentAt);
                    answered.incrementAndGet();
                    if (error != null) {
                        failed(error.toString());
                    } else if (response.statusCode() != 202) {
                        failed("HTTP " + response.statusCode() + " " + response.body());
                    }
                    inFlight.release();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void failed(String why) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, why);
    }

    /** Stops pacing and waits for the requests in flight; returns how many pushes were sent. */
    public long stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        inFlight.acquire(maxInFlight); // every answer is in
        return sent.get();
    }

    public double meanRequestMillis() {
        long n = answered.get();
        return n == 0 ? 0 : requestNanos.get() / 1e6 / n;
    }

    public double achievedRate() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds <= 0 ? 0 : sent.get() / seconds;
    }

    public int failures() {
        return failures.get();
    }

    public String firstFailure() {
        return firstFailure.get();
    }
}
