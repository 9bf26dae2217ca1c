package dev.switchboard.client;

import dev.switchboard.session.ClientFrame;
import dev.switchboard.session.NativeFrameCodec;
import dev.switchboard.session.ServerFrame;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A Java client of the native channel endpoint ({@code /ws/channel}, CONTRACT.md section 2) that
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
    /** Ack ids remembered so that a redelivery of an already handled message is acked, not handled twice. */
    private static final int REMEMBERED_ACKS = 4096;

    private final URI endpoint;
    private final Supplier<String> tokens;
    private final String channelId;
    private final SwitchboardListener listener;
    private final Backoff backoff;
    private final Jsonb jsonb;
    private final boolean ownsJsonb;
    private final NativeFrameCodec codec;
    private final ScheduledExecutorService events;
    private final boolean ownsEvents;
    private final Supplier<WebSocketContainer> containers;
    private final Clock clock;
    private final Connection.Events connectionEvents = new EventThreadHop();

    private volatile State state = State.NEW;
    private volatile boolean closed;
    /** The thread running the event tasks (to recognise close() called by the listener). */
    private volatile Thread eventThread;

    // Event thread only, from here on.
    private final Set<String> topics = new LinkedHashSet<>();
    private final TopicPositions positions = new TopicPositions();
    private final HandledAcks handledAcks = new HandledAcks(REMEMBERED_ACKS);
    private Connection current;
    /** Whether {@link #current}'s welcome arrived. */
    private boolean welcomed;
    /** Subscriptions of the current connection not answered yet; empty = established. */
    private final Set<String> unanswered = new HashSet<>();
    /** A token fetched to decide whether to retry after 1008/401, used by the next attempt. */
    private String nextToken;
    private CompletableFuture<Void> started = new CompletableFuture<>();
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> heartbeat;
    private long lastFrameMillis;

    private SwitchboardClient(Builder builder) {
        this.endpoint = channelEndpoint(builder.uri);
        this.tokens = builder.tokens;
        this.channelId = builder.channelId;
        this.listener = builder.listener;
        this.backoff = new Backoff(builder.initialBackoff, builder.maxBackoff, builder.jitter);
        this.ownsJsonb = builder.jsonb == null;
        this.jsonb = ownsJsonb ? JsonbBuilder.create() : builder.jsonb;
        this.codec = new NativeFrameCodec(jsonb);
        this.ownsEvents = builder.executor == null;
        this.events = ownsEvents ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-client-" + channelId);
            thread.setDaemon(true);
            return thread;
        }) : builder.executor;
        this.containers = builder.containers;
        this.clock = builder.clock;
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
        if (closed) {
            result.completeExceptionally(new IllegalStateException("client is closed"));
            return result;
        }
        onEventThread(() -> {
            if (state != State.NEW && state != State.STOPPED) {
                result.completeExceptionally(new IllegalStateException("client is " + state));
                return;
            }
            started = result;
            backoff.reset();
            attempt();
        });
        return result;
    }

    /** Where the client is now (changes on the event thread). */
    public State state() {
        return state;
    }

    /**
     * Subscribes to {@code topic}, now if connected and after every reconnect, resuming from the
     * last offset the listener saw. Subscribing to a topic twice is one subscription.
     */
    public void subscribe(String topic) {
        Objects.requireNonNull(topic, "topic");
        onEventThread(() -> {
            if (topics.add(topic) && welcomed) {
                sendSubscribe(topic);
            }
        });
    }

    /** Ends a subscription and forgets its position: a later subscribe starts at the topic's end. */
    public void unsubscribe(String topic) {
        Objects.requireNonNull(topic, "topic");
        onEventThread(() -> {
            if (topics.remove(topic)) {
                positions.forget(topic);
                unanswered.remove(topic);
                if (welcomed) {
                    sendFrame(current, new ClientFrame.Unsubscribe(topic));
                }
            }
        });
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
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() == eventThread) {
            shutDownOnEventThread(); // called by the listener: finish here, the thread ends after it
            if (ownsEvents) {
                events.shutdown();
            }
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onEventThread(() -> {
            try {
                shutDownOnEventThread();
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
        if (ownsEvents) {
            events.shutdown();
        }
        if (ownsJsonb && done.isDone()) {
            try {
                jsonb.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing JSON-B failed", e);
            }
        }
    }

    private void shutDownOnEventThread() {
        cancelTimers();
        Connection open = current;
        boolean wasOpen = welcomed;
        current = null;
        welcomed = false;
        state = State.CLOSED;
        started.completeExceptionally(new IOException("client closed"));
        if (open != null) {
            open.close(CloseReason.CloseCodes.NORMAL_CLOSURE, "client closed");
        }
        if (wasOpen) {
            notify(() -> listener.onDisconnected(1000, "client closed", false));
        }
    }

    // ---- connecting -------------------------------------------------------------------------

    private void attempt() {
        reconnect = null;
        if (closed) {
            return;
        }
        state = State.CONNECTING;
        String token;
        try {
            token = nextToken != null ? nextToken : Objects.requireNonNull(tokens.get(), "token supplier returned null");
        } catch (RuntimeException e) {
            connectFailed(new IOException("no token: " + e, e), null); // e.g. the token service is down: retry
            return;
        }
        nextToken = null;
        Connection connection = new Connection(connectionEvents, token);
        current = connection;
        welcomed = false;
        try {
            containers.get().connectToServer(connection, ClientEndpointConfig.Builder.create().build(),
                    channelUri(token));
        } catch (DeploymentException | IOException | RuntimeException e) {
            if (current == connection) {
                current = null;
                connectFailed(e, token);
            }
            return;
        }
        if (closed) {
            connection.close(CloseReason.CloseCodes.NORMAL_CLOSURE, "client closed");
        }
    }

    private void connectFailed(Exception failure, String token) {
        int status = HandshakeRefusedException.statusOf(failure);
        Exception cause = status == 0 ? failure : new HandshakeRefusedException(status, failure);
        RetryDecision decision = status == 0 ? RetryDecision.RETRY : RetryDecision.forHandshakeStatus(status);
        boolean willRetry = shouldRetry(decision, token);
        LOG.log(System.Logger.Level.DEBUG, "connecting channel {0} failed ({1}), retry: {2}", channelId,
                cause.getMessage(), willRetry);
        notify(() -> listener.onConnectFailed(cause, willRetry));
        if (willRetry) {
            scheduleReconnect();
        } else {
            stop(cause);
        }
    }

    private boolean shouldRetry(RetryDecision decision, String usedToken) {
        if (closed || decision == RetryDecision.STOP) {
            return false;
        }
        if (decision == RetryDecision.RETRY_WITH_NEW_TOKEN) {
            String fresh;
            try {
                fresh = tokens.get();
            } catch (RuntimeException e) {
                return true; // the supplier may recover: the next attempt asks it again
            }
            if (fresh == null || fresh.equals(usedToken)) {
                return false;
            }
            nextToken = fresh;
        }
        return true;
    }

    private void scheduleReconnect() {
        state = State.RECONNECTING;
        Duration delay = backoff.nextDelay();
        try {
            reconnect = events.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            state = State.CLOSED; // the executor is shutting down: close() is under way
        }
    }

    private void stop(Exception cause) {
        state = State.STOPPED;
        cancelTimers();
        started.completeExceptionally(cause);
    }

    // ---- frames in --------------------------------------------------------------------------

    private void frameArrived(Connection connection, String text) {
        if (connection != current) {
            return; // a connection given up already (closed locally or by the heartbeat check)
        }
        lastFrameMillis = clock.millis();
        ServerFrame frame;
        try {
            frame = codec.decodeServerFrame(text);
        } catch (JsonbException | JsonException | ClassCastException | NullPointerException e) {
            notify(() -> listener.onError(new IOException("unreadable frame from the server", e)));
            return;
        }
        if (frame instanceof ServerFrame.Message message) {
            deliver(connection, message);
        } else if (frame instanceof ServerFrame.Welcome welcome) {
            welcomed(welcome);
        } else if (frame instanceof ServerFrame.Subscribed subscribed) {
            subscribed(subscribed);
        } else if (frame instanceof ServerFrame.Error error) {
            ServerFrame.Ref ref = error.ref();
            ServerError serverError = new ServerError(error.code(), error.message(), ref == null ? null : ref.type(),
                    ref == null ? null : ref.topic());
            notify(() -> listener.onServerError(serverError));
            if (ref != null && "subscribe".equals(ref.type()) && ref.topic() != null) {
                answered(ref.topic());
            }
        }
        // pong: lastFrameMillis is all it is for
    }

    private void welcomed(ServerFrame.Welcome welcome) {
        welcomed = true;
        state = State.CONNECTED;
        notify(() -> listener.onConnected(welcome.sessionId(), welcome.user()));
        unanswered.clear();
        unanswered.addAll(topics);
        for (String topic : topics) {
            sendSubscribe(topic);
        }
        startHeartbeat(current, welcome.heartbeatMs());
        if (unanswered.isEmpty()) {
            established();
        }
    }

    private void sendSubscribe(String topic) {
        TopicPositions.Position from = positions.resumeFrom(topic);
        ClientFrame.Since since = from == null ? null : new ClientFrame.Since(from.offset(), from.epoch());
        sendFrame(current, new ClientFrame.Subscribe(topic, since));
    }

    private void subscribed(ServerFrame.Subscribed answer) {
        if (!topics.contains(answer.topic())) {
            return; // unsubscribed meanwhile
        }
        RecoveryFailure failure = positions.subscribed(answer.topic(), answer.offset(), answer.epoch(),
                answer.recovered());
        notify(() -> listener.onSubscribed(answer.topic(), answer.offset(), answer.epoch(), answer.recovered()));
        if (failure != null) {
            LOG.log(System.Logger.Level.INFO, "topic {0} resumed with a gap: {1}", answer.topic(), failure);
            notify(() -> listener.onRecoveryFailed(failure));
        }
        answered(answer.topic());
    }

    private void answered(String topic) {
        if (unanswered.remove(topic) && unanswered.isEmpty()) {
            established();
        }
    }

    /** The connection is good: open and every subscription answered. */
    private void established() {
        backoff.reset();
        started.complete(null);
    }

    private void deliver(Connection connection, ServerFrame.Message frame) {
        if (frame.topic() != null && frame.offset() != null && frame.epoch() != null) {
            if (!topics.contains(frame.topic()) || !positions.accept(frame.topic(), frame.offset(), frame.epoch())) {
                return; // unsubscribed, or a replay of what the listener has seen
            }
        }
        boolean ack = Boolean.TRUE.equals(frame.ack()) && frame.id() != null;
        if (ack && handledAcks.contains(frame.id())) {
            sendFrame(connection, new ClientFrame.Ack(frame.id())); // handled before; the ack was lost
            return;
        }
        IncomingMessage message = new IncomingMessage(frame, jsonb);
        try {
            listener.onMessage(message);
        } catch (Exception | LinkageError | AssertionError e) {
            // not acknowledged: the server redelivers it later (CONTRACT.md section 5)
            notify(() -> listener.onError(e));
            return;
        }
        if (ack) {
            handledAcks.add(frame.id());
            sendFrame(connection, new ClientFrame.Ack(frame.id()));
        }
    }

    private void connectionClosed(Connection connection, int code, String reason) {
        if (connection != current) {
            return;
        }
        current = null;
        welcomed = false;
        cancelTimers();
        if (closed) {
            return;
        }
        boolean willRetry = shouldRetry(RetryDecision.forCloseCode(code), connection.token());
        LOG.log(System.Logger.Level.DEBUG, "channel {0} closed with {1} {2}, retry: {3}", channelId, code, reason,
                willRetry);
        notify(() -> listener.onDisconnected(code, reason, willRetry));
        if (willRetry) {
            scheduleReconnect();
        } else {
            stop(new IOException("closed by the server with " + code + " " + reason));
        }
    }

    // ---- heart-beat -------------------------------------------------------------------------

    /**
     * Every {@code intervalMillis}: a {@code ping} if nothing arrived for an interval, and the
     * connection counts as lost (1006) if nothing arrived for two, as the server does with its peers.
     */
    private void startHeartbeat(Connection connection, long intervalMillis) {
        if (intervalMillis <= 0) {
            return;
        }
        lastFrameMillis = clock.millis();
        heartbeat = events.scheduleWithFixedDelay(() -> {
            if (connection != current) {
                return;
            }
            long silent = clock.millis() - lastFrameMillis;
            if (silent >= 2 * intervalMillis) {
                connection.close(CloseReason.CloseCodes.GOING_AWAY, "no frames from the server");
                connectionClosed(connection, CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode(),
                        "no frames from the server for " + silent + " ms");
            } else if (silent >= intervalMillis) {
                sendFrame(connection, new ClientFrame.Ping());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelTimers() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    // ---- frames out -------------------------------------------------------------------------

    private CompletableFuture<Void> sendWhenConnected(ClientFrame frame) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        onEventThread(() -> {
            if (!welcomed) {
                sent.completeExceptionally(new IllegalStateException("not connected (client is " + state + ")"));
                return;
            }
            try {
                current.send(codec.encode(frame));
                sent.complete(null);
            } catch (IOException | RuntimeException e) {
                sent.completeExceptionally(e);
            }
        });
        return sent;
    }

    /** Sends on {@code connection} if it is still the current one; a failure shows up as its close. */
    private void sendFrame(Connection connection, ClientFrame frame) {
        if (connection == null || connection != current) {
            return;
        }
        try {
            connection.send(codec.encode(frame));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "sending on channel {0} failed: {1}", channelId, e.toString());
        }
    }

    private JsonValue toJson(Object data) {
        if (data instanceof JsonValue value) {
            return value;
        }
        return data == null ? JsonValue.NULL : jsonb.fromJson(jsonb.toJson(data), JsonValue.class);
    }

    // ---- threads ----------------------------------------------------------------------------

    private void onEventThread(Runnable task) {
        try {
            events.execute(() -> {
                eventThread = Thread.currentThread();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "client bug on channel " + channelId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw new IllegalStateException("the client's executor was shut down", e);
            }
            // closed: late container callbacks and calls after close() are dropped
        }
    }

    /** Calls the listener; what it throws goes to its onError, and what that throws to the log. */
    private void notify(ListenerCall call) {
        try {
            call.run();
        } catch (Exception | LinkageError | AssertionError e) {
            try {
                listener.onError(e);
            } catch (Exception | LinkageError | AssertionError again) {
                LOG.log(System.Logger.Level.WARNING, "listener of channel " + channelId + " failed", again);
            }
        }
    }

    @FunctionalInterface
    private interface ListenerCall {
        void run() throws Exception;
    }

    /** Container threads report here; everything continues on the event thread. */
    private final class EventThreadHop implements Connection.Events {
        @Override
        public void frame(Connection connection, String text) {
            onEventThread(() -> frameArrived(connection, text));
        }

        @Override
        public void closed(Connection connection, int code, String reason) {
            onEventThread(() -> connectionClosed(connection, code, reason));
        }

        @Override
        public void failed(Connection connection, Throwable failure) {
            // the container closes the session next (onClose, usually 1006): that decides what follows
            LOG.log(System.Logger.Level.DEBUG, "connection of channel {0} failed: {1}", channelId, failure.toString());
        }
    }

    // ---- addresses --------------------------------------------------------------------------

    private static URI channelEndpoint(URI base) {
        String text = base.toString();
        if (text.startsWith("http://") || text.startsWith("https://")) {
            text = "ws" + text.substring(4);
        }
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + "/ws/channel");
    }

    private URI channelUri(String token) {
        return URI.create(endpoint + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&channelId="
                + URLEncoder.encode(channelId, StandardCharsets.UTF_8));
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
         * Called on the client's event thread; it may block briefly (e.g. fetch a fresh token).
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
