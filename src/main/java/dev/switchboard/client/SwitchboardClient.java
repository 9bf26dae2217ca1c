package dev.switchboard.client;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.NativeFrameCodec;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A Java client of the native channel endpoint ({@code /ws/channel}, docs/protocol.md) that
 * stays connected: it reconnects with jittered exponential backoff, resumes every subscription
 * from the last offset its listener saw, drops replayed duplicates, and acknowledges
 * {@code ack: true} messages after the listener returned.
 *
 * <p>Thread safety: every public method may be called from any thread, also from inside the
 * listener. All state lives on one event thread, which also calls the {@link SwitchboardListener},
 * one call at a time and in order. Frames are sent from that thread only.
 *
 * <p>Delivery: topic messages reach the listener in offset order and at most once per client; a
 * gap the server could not replay is reported to {@link SwitchboardListener#onRecoveryFailed},
 * never silent. Messages that arrive while the listener is busy queue up in memory.
 *
 * <p>It needs only a JSR 356 client (e.g. {@code tyrus-standalone-client}) and JSON-B
 * (e.g. Yasson) at run time.
 */
public final class SwitchboardClient implements AutoCloseable {

    /** Where a client is in its life. */
    public enum State {
        /** Built, {@link #connect()} not called yet. */
        NEW,
        /** A connection attempt (or its first frames) is under way. */
        CONNECTING,
        /** A session is open. */
        CONNECTED,
        /** The connection was lost; the next attempt waits for its backoff delay. */
        RECONNECTING,
        /** Gave up (see the listener's last call); {@link #connect()} may start again. */
        STOPPED,
        /** {@link #close()} was called: final. */
        CLOSED
    }

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final String channelId;
    private final Jsonb jsonb;
    private final boolean ownsJsonb;
    private final EventLoop events;
    private final ClientStateMachine machine;

    private SwitchboardClient(Builder builder) {
        this.channelId = builder.channelId;
        URI endpoint = ConnectionAttempts.channelEndpoint(builder.uri); // a bad address fails before anything is created
        Backoff backoff = new Backoff(builder.initialBackoff, builder.maxBackoff, builder.jitter);
        this.ownsJsonb = builder.jsonb == null;
        this.jsonb = ownsJsonb ? JsonbBuilder.create() : builder.jsonb;
        this.events = new EventLoop(builder.executor, channelId, this::isClosed);
        ConnectionAttempts attempts = new ConnectionAttempts(endpoint, channelId, builder.tokens,
                builder.containers, backoff, events);
        this.machine = new ClientStateMachine(channelId, events, new NativeFrameCodec(jsonb), jsonb, builder.clock,
                new ListenerDispatcher(builder.listener, channelId), attempts);
    }

    /**
     * A builder for a client of the server at {@code uri}: {@code ws://host:port} plus the
     * context root, if any ({@code ws://host:8080/switchboard}); {@code http(s)} works too.
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /**
     * Starts connecting (and reconnecting, until {@link #close()} or a refusal that retrying
     * cannot fix). The future completes once a session is open and every subscription made before
     * has been answered; it fails with {@link HandshakeRefusedException} or another
     * {@link IOException} if the client gives up before that, and never times out by itself. It
     * fails with {@link IllegalStateException} if the client is connecting or connected already,
     * or closed.
     */
    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (isClosed()) {
            result.completeExceptionally(new IllegalStateException("client is closed"));
            return result;
        }
        events.execute(() -> machine.connect(result));
        return result;
    }

    /** Where the client is now (changes on the event thread). */
    public State state() {
        return machine.state();
    }

    /**
     * Subscribes to {@code topic}, now if connected and after every reconnect, resuming from the
     * last offset the listener saw. Subscribing to a topic twice is one subscription.
     */
    public void subscribe(String topic) {
        Objects.requireNonNull(topic, "topic");
        events.execute(() -> machine.subscribe(topic));
    }

    /** Ends a subscription and forgets its position: a later subscribe starts at the topic's end. */
    public void unsubscribe(String topic) {
        Objects.requireNonNull(topic, "topic");
        events.execute(() -> machine.unsubscribe(topic));
    }

    /**
     * Publishes {@code data} (a {@link JsonValue}, or any object JSON-B maps) to {@code topic}
     * (needs role {@code publisher} or an open-publish rule). The future completes when the frame
     * was written, or fails if the client is not connected then: publications are not queued
     * across reconnects. A refusal arrives as {@link SwitchboardListener#onServerError}.
     */
    public CompletableFuture<Void> publish(String topic, Object data) {
        Objects.requireNonNull(topic, "topic");
        return sendWhenConnected(new ClientFrame.Publish(topic, toJson(data)));
    }

    /**
     * Hands {@code data} to the server's application handler for destination {@code to} (e.g.
     * {@code echo}). Completes and fails as {@link #publish}.
     */
    public CompletableFuture<Void> send(String to, Object data) {
        Objects.requireNonNull(to, "to");
        return sendWhenConnected(new ClientFrame.Send(to, toJson(data)));
    }

    /**
     * Closes the session with 1000 and stops for good; the listener's last call is
     * {@code onDisconnected(1000, …, false)} if a session was open. Waits up to 5 s for the event
     * thread to finish what it is doing.
     */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        machine.markClosed();
        if (events.isEventThread()) {
            machine.shutDown(); // called by the listener: finish here, the thread ends after it
            events.shutDownIfOwned();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        events.execute(() -> {
            try {
                machine.shutDown();
            } finally {
                done.complete(null);
            }
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "channel {0}: the event thread did not finish within 5 s", channelId);
        }
        events.shutDownIfOwned();
        if (ownsJsonb && done.isDone()) {
            // only once the event thread is done with it: a late frame could still be decoding
            try {
                jsonb.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing JSON-B failed", e);
            }
        }
    }

    private boolean isClosed() {
        return machine.isClosed();
    }

    private CompletableFuture<Void> sendWhenConnected(ClientFrame frame) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        events.execute(() -> machine.sendIfConnected(frame, sent));
        return sent;
    }

    /** Converts on the caller's thread, so a payload JSON-B cannot map fails the caller, not the event thread. */
    private JsonValue toJson(Object data) {
        if (data instanceof JsonValue value) {
            return value;
        }
        return data == null ? JsonValue.NULL : jsonb.fromJson(jsonb.toJson(data), JsonValue.class);
    }

    /**
     * Settings of a {@link SwitchboardClient}. {@link #token}, {@link #channelId} and
     * {@link #listener} are required. Not thread safe.
     */
    public static final class Builder {
        private final URI uri;
        private Supplier<String> tokens;
        private String channelId;
        private SwitchboardListener listener;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private double jitter = 0.5;
        private Jsonb jsonb;
        private ScheduledExecutorService executor;
        private Supplier<WebSocketContainer> containers = ContainerProvider::getWebSocketContainer;
        private Clock clock = Clock.systemUTC();

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /** A fixed token: after it expires (close 1008, or 401 at a reconnect) the client stops. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            return token(() -> token);
        }

        /**
         * Where tokens come from: asked at every connection attempt, and after a 1008 close or a
         * 401 refusal, the client reconnects only if it yields a token different from the one used.
         * Asked too when the server says the session's token is {@code expiring}: a different token
         * is sent as a {@code refresh}, so the session lives on without reconnecting
         * ({@link SwitchboardListener#onTokenRefreshed}). Called on the client's event thread; it
         * may block briefly (e.g. fetch a fresh token).
         */
        public Builder token(Supplier<String> tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /** The channel to connect ({@code [A-Za-z0-9._:-]{1,128}}). */
        public Builder channelId(String channelId) {
            this.channelId = Objects.requireNonNull(channelId, "channelId");
            return this;
        }

        public Builder listener(SwitchboardListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Reconnection delays: from {@code initial} (default 200 ms), doubling per failed attempt
         * up to {@code max} (default 10 s), each reduced at random by up to {@code jitter} of it
         * (default 0.5). Back to {@code initial} once a connection is established.
         */
        public Builder backoff(Duration initial, Duration max, double jitter) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            this.jitter = jitter;
            return this;
        }

        /** The JSON-B used for payloads and {@link IncomingMessage#dataAs}; default a new one, closed with the client. */
        public Builder jsonb(Jsonb jsonb) {
            this.jsonb = Objects.requireNonNull(jsonb, "jsonb");
            return this;
        }

        /**
         * The event thread: must run one task at a time, in order (a single-threaded executor).
         * Default: a daemon thread of the client's own, stopped by {@link #close()}; one supplied
         * here is not shut down by the client.
         */
        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The JSR 356 container for each connection attempt. Default
         * {@code ContainerProvider::getWebSocketContainer}, a new container per connection: Tyrus
         * stops a non-shared container's threads when its connections close.
         */
        public Builder containers(Supplier<WebSocketContainer> containers) {
            this.containers = Objects.requireNonNull(containers, "containers");
            return this;
        }

        /** The clock of the heart-beat check. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public SwitchboardClient build() {
            Objects.requireNonNull(tokens, "token is required");
            Objects.requireNonNull(channelId, "channelId is required");
            Objects.requireNonNull(listener, "listener is required");
            new Backoff(initialBackoff, maxBackoff, jitter); // validates now rather than at the first reconnect
            return new SwitchboardClient(this);
        }
    }
}
