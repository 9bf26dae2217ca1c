package dev.switchboard.config;

import dev.switchboard.broker.EventSink;
import dev.switchboard.events.SwitchboardEvent;
import dev.switchboard.webhook.WebhookSender;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Takes the broker's events off its threads: the webhook sender queues its own copy, and the
 * application's observers are called on one thread of their own, in order, from a bounded queue.
 * A slow observer delays only the observers of later events; past {@code capacity} waiting
 * events, new ones are dropped for observers, counted and logged. Thread safe.
 */
public final class ApplicationEvents implements EventSink, AutoCloseable {

    private static final Logger LOG = System.getLogger(ApplicationEvents.class.getName());

    private final Consumer<SwitchboardEvent> observers;
    private final WebhookSender webhook;
    private final ThreadPoolExecutor observerThread;
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param observers calls the application's observers of one event, on the caller's thread
     * @param webhook the webhook sender, or null without webhooks
     */
    public ApplicationEvents(Consumer<SwitchboardEvent> observers, WebhookSender webhook, int capacity) {
        this.observers = Objects.requireNonNull(observers, "observers");
        this.webhook = webhook;
        this.observerThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity), runnable -> {
                    Thread thread = new Thread(runnable, "switchboard-events");
                    thread.setDaemon(true);
                    return thread;
                }, (task, executor) -> {
                    long count = dropped.incrementAndGet();
                    if (count == 1 || count % 1000 == 0) {
                        LOG.log(Level.WARNING, "Event observers are {0} events behind; {1} events dropped for them so far",
                                executor.getQueue().size(), count);
                    }
                });
    }

    @Override
    public void publish(SwitchboardEvent event) {
        if (webhook != null) {
            webhook.offer(event);
        }
        observerThread.execute(() -> notifyObservers(event));
    }

    /** Events dropped for the observers because too many were waiting. */
    public long dropped() {
        return dropped.get();
    }

    private void notifyObservers(SwitchboardEvent event) {
        try {
            observers.accept(event);
        } catch (RuntimeException e) {
            // An observer's failure is the application's; the next event still goes out.
            LOG.log(Level.WARNING, "An observer of " + event.getClass().getSimpleName() + " failed", e);
        }
    }

    @Override
    public void close() {
        observerThread.shutdownNow();
        if (webhook != null) {
            webhook.close();
        }
    }
}
