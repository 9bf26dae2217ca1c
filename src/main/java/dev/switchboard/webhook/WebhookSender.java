package dev.switchboard.webhook;

import dev.switchboard.events.SwitchboardEvent;
import jakarta.json.bind.Jsonb;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs this node's events to {@code SWITCHBOARD_WEBHOOK_URL}, as JSON arrays signed with
 * {@link WebhookSignature} (docs/events.md, Webhooks).
 *
 * <p><b>Order and retries.</b> One queue and one sender thread: a batch is what is queued when the
 * thread gets to it (at most {@code maxBatch}), and the next batch waits until this one is
 * answered 2xx or given up, so events reach the receiver in the order they were queued, at least
 * once. A failure (an error status, a timeout, a refused connection) is retried after a backoff
 * that doubles from {@code firstBackoff} to {@code maxBackoff}, for {@code retryFor} since the
 * first attempt; then the batch is dropped and logged (WARNING).
 *
 * <p><b>Memory.</b> The queue holds at most {@code capacity} events; an event offered to a full
 * queue is dropped, counted ({@link #dropped()}) and logged, never blocking the broker. Thread safe.
 */
public final class WebhookSender implements AutoCloseable {

    private static final Logger LOG = System.getLogger(WebhookSender.class.getName());
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long {@link #close()} lets the sender go on with what is queued: a stopping server
     * closes every session (1001) just before, and those offline events are the ones a backend
     * most needs. Bounded, so a receiver that is down cannot hold the shutdown up.
     */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final URI url;
    private final WebhookSignature signature;
    private final Jsonb jsonb;
    private final HttpClient http;
    private final Duration retryFor;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final int maxBatch;
    private final BlockingQueue<WebhookEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    /** Set by {@link #close()}: the sender sends what is queued, then ends. */
    private volatile boolean stopping;

    public WebhookSender(URI url, WebhookSignature signature, Jsonb jsonb, Duration retryFor, int capacity,
            int maxBatch, Duration firstBackoff, Duration maxBackoff) {
        this.url = Objects.requireNonNull(url, "url");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.jsonb = Objects.requireNonNull(jsonb, "jsonb");
        this.retryFor = retryFor;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.sender = new Thread(this::run, "switchboard-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    /** Queues {@code event} if it has a webhook form; never blocks. */
    public void offer(SwitchboardEvent event) {
        WebhookEvent wire = WebhookEvent.of(event, UUID.randomUUID().toString());
        if (wire == null) {
            return;
        }
        if (!queue.offer(wire)) {
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                LOG.log(Level.WARNING, "Webhook queue full ({0} events waiting for {1}); {2} events dropped so far",
                        queue.size(), url, count);
            }
        }
    }

    /** Events dropped because the queue was full or their batch was given up. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Sends what is queued for up to {@link #SHUTDOWN_GRACE}, then stops; what is still unsent
     * then is dropped (and logged). Events offered meanwhile are still taken.
     */
    @Override
    public void close() {
        stopping = true;
        try {
            sender.join(SHUTDOWN_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
        int left = queue.size();
        if (left > 0) {
            LOG.log(Level.WARNING, "Webhook sender stopped with {0} events unsent", left);
        }
    }

    private void run() {
        List<WebhookEvent> batch = new ArrayList<>(maxBatch);
        try {
            while (true) {
                // A bounded wait, so that a closing sender with nothing left ends at once.
                WebhookEvent first = stopping ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                deliver(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the grace is over: nothing more to send
        }
    }

    /** Sends one batch until it is taken or {@code retryFor} has passed. */
    private void deliver(List<WebhookEvent> batch) throws InterruptedException {
        byte[] body = jsonb.toJson(batch).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long giveUpAt = System.nanoTime() + retryFor.toNanos();
        Duration backoff = firstBackoff;
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                failure = "status " + response.statusCode();
            } catch (IOException e) {
                failure = e.toString();
            }
            if (System.nanoTime() + backoff.toNanos() - giveUpAt > 0) {
                dropped.addAndGet(batch.size());
                LOG.log(Level.WARNING, "Webhook batch of {0} events dropped after {1} attempts to {2}; last: {3}",
                        batch.size(), attempt, url, failure);
                return;
            }
            LOG.log(Level.INFO, "Webhook attempt {0} to {1} failed ({2}); retrying in {3} ms", attempt, url, failure,
                    backoff.toMillis());
            Thread.sleep(backoff.toMillis()); // the sender's own thread: the next batch must wait for this one
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }
}
