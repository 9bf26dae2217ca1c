package dev.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A subscriber on the native endpoint (the Tyrus client) that checks every topic message as it
 * arrives instead of keeping the frames, so that it can take hundreds of thousands of them:
 * <ul>
 * <li>per topic, offsets go on from the {@code subscribed} offset by exactly one, in the epoch the
 * {@code subscribed} frame announced (no gap, no duplicate, no reordering);</li>
 * <li>per topic and publisher, the {@code seq} in {@code data} ({@code {"p": publisher, "seq": n}})
 * goes 1, 2, 3, ... (each publisher's messages in the order it sent them, each once).</li>
 * </ul>
 * It also remembers which publisher message sits at each offset, so that subscribers can be
 * compared, and records any {@code error} frame and how the connection closed.
 *
 * <p>Thread safety: the container delivers one frame at a time; every method is synchronized so
 * that the test thread reads a consistent state.
 */
final class SequenceCheckingClient implements AutoCloseable {

    private static final ClientManager TYRUS = SharedTyrusClient.INSTANCE;
    private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());
    private static final int MAX_VIOLATIONS_KEPT = 20;

    /** One subscribed topic, as seen by this client. */
    private static final class TopicState {
        final String epoch;
        final long firstOffset;
        long lastOffset;
        /** (publisher << 32 | seq) per offset after {@link #firstOffset}. */
        long[] origins = new long[1024];
        final Map<Integer, Long> lastSeqByPublisher = new HashMap<>();

        TopicState(String epoch, long offset) {
            this.epoch = epoch;
            this.firstOffset = offset;
            this.lastOffset = offset;
        }
    }

    private final String name;
    private final Runnable onTopicMessage;
    private final Map<String, TopicState> topics = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private long topicMessages;
    private long violationCount;
    private Session session;

    private SequenceCheckingClient(String name, Runnable onTopicMessage) {
        this.name = name;
        this.onTopicMessage = onTopicMessage;
    }

    /**
     * Connects to {@code channelId}; {@code onTopicMessage} runs on the receiving thread after each
     * topic message has been checked (for flow control in the test).
     */
    static SequenceCheckingClient connect(ServerProcess server, String token, String channelId,
            Runnable onTopicMessage) throws DeploymentException, IOException {
        SequenceCheckingClient client = new SequenceCheckingClient(channelId, onTopicMessage);
        Session session = TYRUS.connectToServer(client.new Checker(), ClientEndpointConfig.Builder.create().build(),
                ChannelClient.channelUri(server, token, channelId));
        synchronized (client) {
            client.session = session;
        }
        return client;
    }

    static SequenceCheckingClient connect(ServerProcess server, String token, String channelId)
            throws DeploymentException, IOException {
        return connect(server, token, channelId, () -> { });
    }

    /** Sends a {@code subscribe}; {@link #isSubscribed} turns true when the server confirms it. */
    void subscribe(String topic) throws IOException {
        sessionForSending().getBasicRemote().sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
    }

    private synchronized Session sessionForSending() {
        return session;
    }

    synchronized boolean isSubscribed(String topic) {
        return topics.containsKey(topic);
    }

    /** Topic messages received, all topics together. */
    synchronized long topicMessages() {
        return topicMessages;
    }

    /** The last offset received on {@code topic} (the {@code subscribed} offset before any message). */
    synchronized long lastOffset(String topic) {
        return state(topic).lastOffset;
    }

    /** The epoch the {@code subscribed} frame announced for {@code topic}. */
    synchronized String epoch(String topic) {
        return state(topic).epoch;
    }

    /** The offset the {@code subscribed} frame announced for {@code topic}. */
    synchronized long subscribedOffset(String topic) {
        return state(topic).firstOffset;
    }

    /** The last {@code seq} of {@code publisher} received on {@code topic}, 0 if none. */
    synchronized long lastSeq(String topic, int publisher) {
        return state(topic).lastSeqByPublisher.getOrDefault(publisher, 0L);
    }

    /**
     * Which publisher message came at each offset after the subscription, in offset order, each as
     * {@code publisher << 32 | seq}.
     */
    synchronized long[] origins(String topic) {
        TopicState state = state(topic);
        return Arrays.copyOf(state.origins, (int) (state.lastOffset - state.firstOffset));
    }

    /** Descriptions of the first broken expectations (see the class comment); empty if none. */
    synchronized List<String> violations() {
        List<String> copy = new ArrayList<>(violations);
        if (violationCount > copy.size()) {
            copy.add("... and " + (violationCount - copy.size()) + " more");
        }
        return copy;
    }

    /** How the connection closed or failed, or null while it is open. */
    String closeDescription() {
        if (!closed.isDone()) {
            return null;
        }
        return closed.handle((reason, failure) -> failure != null ? "failed: " + failure
                : "closed with " + reason.getCloseCode().getCode() + " " + reason.getReasonPhrase()).join();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() throws IOException {
        Session current = sessionForSending();
        if (current != null && current.isOpen()) {
            current.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private TopicState state(String topic) {
        TopicState state = topics.get(topic);
        if (state == null) {
            throw new IllegalStateException(name + " is not subscribed to " + topic);
        }
        return state;
    }

    private synchronized void onText(String text) {
        JsonObject frame;
        try (JsonReader reader = JSON.createReader(new StringReader(text))) {
            frame = reader.readObject();
        }
        switch (frame.getString("type", "")) {
            case "message" -> onMessage(frame);
            case "subscribed" -> topics.put(frame.getString("topic"),
                    new TopicState(frame.getString("epoch"), frame.getJsonNumber("offset").longValue()));
            case "welcome", "pong" -> { }
            default -> violation("unexpected frame " + text);
        }
    }

    private void onMessage(JsonObject frame) {
        String topic = frame.getString("topic", null);
        TopicState state = topic == null ? null : topics.get(topic);
        if (state == null) {
            violation("message outside a subscribed topic: " + frame);
            return;
        }
        long offset = frame.getJsonNumber("offset").longValue();
        if (offset != state.lastOffset + 1) {
            violation(topic + ": offset " + offset + " after " + state.lastOffset);
        }
        if (!state.epoch.equals(frame.getString("epoch"))) {
            violation(topic + ": epoch " + frame.getString("epoch") + " at offset " + offset + ", subscribed in "
                    + state.epoch);
        }
        JsonObject data = frame.getJsonObject("data");
        int publisher = data.getInt("p");
        long seq = data.getJsonNumber("seq").longValue();
        long lastSeq = state.lastSeqByPublisher.getOrDefault(publisher, 0L);
        if (seq != lastSeq + 1) {
            violation(topic + ": publisher " + publisher + " seq " + seq + " after " + lastSeq + " (offset " + offset
                    + ")");
        }
        state.lastSeqByPublisher.put(publisher, seq);
        int index = (int) (offset - state.firstOffset - 1);
        if (index >= 0 && offset > state.lastOffset) {
            if (index >= state.origins.length) {
                state.origins = Arrays.copyOf(state.origins, Math.max(index + 1, state.origins.length * 2));
            }
            state.origins[index] = (long) publisher << 32 | seq;
            state.lastOffset = offset;
        }
        topicMessages++;
        onTopicMessage.run();
    }

    private void violation(String description) {
        violationCount++;
        if (violations.size() < MAX_VIOLATIONS_KEPT) {
            violations.add(name + ": " + description);
        }
    }

    private final class Checker extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) SequenceCheckingClient.this::onText);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }

        @Override
        public void onError(Session session, Throwable failure) {
            closed.completeExceptionally(failure);
        }
    }
}
