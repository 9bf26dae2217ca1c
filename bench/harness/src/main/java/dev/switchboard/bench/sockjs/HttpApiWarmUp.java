package dev.switchboard.bench.sockjs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publications through the HTTP API to a topic nobody follows, several in flight, before anything
 * is measured. Why: a fresh server handles its first requests interpreted (100 publications/s cost
 * it 39 % of its core in the first seconds of a trial, 24 % a few seconds later), and the measured
 * publisher sends one request at a time, at most a few hundred a second: without this the first
 * windows would pay for compiling the HTTP path. Order does not matter on a topic nobody follows.
 */
final class HttpApiWarmUp {

    private static final int IN_FLIGHT = 8;

    private HttpApiWarmUp() {
    }

    /** Sends {@code requests} publications; returns how many were not accepted (202). */
    static int run(URI base, String apiKey, String topic, int requests) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicInteger refused = new AtomicInteger();
        URI uri = base.resolve("/api/v1/topics/" + topic + "/messages");
        for (int i = 0; i < requests; i++) {
            slots.acquire();
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"data\":{\"t\":0,\"seq\":" + i + "}}")).build();
            CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            sent.whenComplete((response, failure) -> {
                if (failure != null || response.statusCode() != 202) {
                    refused.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS);
        return refused.get();
    }
}
