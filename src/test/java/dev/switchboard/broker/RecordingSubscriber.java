package dev.switchboard.broker;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A {@link Subscriber} test double that records what it is given, from any thread, in order (also
 * for tests in other packages, with {@link TestBrokers}).
 * {@link #onDeliver} lets a test observe each delivery as it arrives.
 */
public final class RecordingSubscriber implements Subscriber {

    private final String sessionId;
    private final String user;
    private final String channelId;
    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CloseCode> disconnects = new ConcurrentLinkedQueue<>();
    private volatile Consumer<Delivery> onDeliver = d -> { };

    public RecordingSubscriber(String sessionId, String user, String channelId) {
        this.sessionId = sessionId;
        this.user = user;
        this.channelId = channelId;
    }

    RecordingSubscriber onDeliver(Consumer<Delivery> listener) {
        this.onDeliver = listener;
        return this;
    }

    /** Snapshot of the deliveries so far, in arrival order. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Snapshot of the payloads delivered so far, in arrival order. */
    public List<String> payloads() {
        return deliveries.stream().map(Delivery::dataJson).toList();
    }

    /** Snapshot of the close codes this session was told to disconnect with. */
    List<CloseCode> disconnects() {
        return List.copyOf(disconnects);
    }

    @Override public String sessionId() { return sessionId; }

    @Override public String user() { return user; }

    @Override public String channelId() { return channelId; }

    @Override public String protocol() { return "test"; }

    @Override public Instant openedAt() { return Instant.EPOCH; }

    @Override
    public void deliver(Delivery delivery) {
        deliveries.add(delivery);
        onDeliver.accept(delivery);
    }

    @Override
    public void disconnect(CloseCode reason) {
        disconnects.add(reason);
    }

    /** The first code it was told to disconnect with, as a real session reports it once closed. */
    @Override
    public CloseCode closeCode() {
        CloseCode first = disconnects.peek();
        return first == null ? CloseCode.NORMAL : first;
    }

    @Override
    public String toString() {
        return "RecordingSubscriber[" + sessionId + "]";
    }
}
