package dev.switchboard.client;

import dev.switchboard.client.SwitchboardClient.State;
import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.protocol.ServerFrame;
import jakarta.json.JsonException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The life of a {@link SwitchboardClient} through its {@link State}s: connection attempts and
 * their failures, the frames of the current connection, its close, and the decision to reconnect
 * or stop. The pieces it drives each have a home of their own: {@link ConnectionAttempts} (tokens,
 * retry decisions, backoff), {@link Subscriptions} (topics and resume positions),
 * {@link MessageDelivery} (dedup and acks), {@link HeartbeatWatchdog} and
 * {@link ListenerDispatcher}.
 *
 * <p>Threads: {@link #state()}, {@link #isClosed()} and {@link #markClosed()} may be called from
 * any thread; every other method runs on the event thread. The container's callbacks arrive on
 * its own threads and hop to the event thread ({@link EventThreadHop}).
 */
final class ClientStateMachine {

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final String channelId;
    private final EventLoop events;
    private final NativeFrameCodec codec;
    private final ListenerDispatcher listener;
    private final ConnectionAttempts attempts;
    private final Connection.Events connectionEvents = new EventThreadHop();

    /** Written on the event thread, read anywhere. */
    private volatile State state = State.NEW;
    /** Set by close() on any thread; final once true. */
    private volatile boolean closed;

    // Event thread only, from here on.
    private final CurrentConnection current;
    private final Subscriptions subscriptions = new Subscriptions();
    private final MessageDelivery delivery;
    private final HeartbeatWatchdog heartbeat;
    /** The future of the last connect(): completed once established, failed when the client gives up. */
    private CompletableFuture<Void> started = new CompletableFuture<>();

    ClientStateMachine(String channelId, EventLoop events, NativeFrameCodec codec, Jsonb jsonb, Clock clock,
            ListenerDispatcher listener, ConnectionAttempts attempts) {
        this.channelId = channelId;
        this.events = events;
        this.codec = codec;
        this.listener = listener;
        this.attempts = attempts;
        this.current = new CurrentConnection(codec, channelId);
        this.delivery = new MessageDelivery(subscriptions, current, listener, jsonb);
        this.heartbeat = new HeartbeatWatchdog(events, clock, current, this::connectionClosed);
    }

    State state() {
        return state;
    }

    boolean isClosed() {
        return closed;
    }

    /** close() was called: no more attempts or retries; the event thread finishes with {@link #shutDown()}. */
    void markClosed() {
        closed = true;
    }

    // ---- requests of the API (event thread) ---------------------------------------------------

    /** connect(): starts attempting unless already under way; {@code result} is its future. */
    void connect(CompletableFuture<Void> result) {
        if (state != State.NEW && state != State.STOPPED) {
            result.completeExceptionally(new IllegalStateException("client is " + state));
            return;
        }
        started = result;
        attempts.resetBackoff();
        attempt();
    }

    void subscribe(String topic) {
        if (subscriptions.add(topic) && current.isWelcomed()) {
            current.send(subscriptions.subscribeRequest(topic));
        }
    }

    void unsubscribe(String topic) {
        if (subscriptions.remove(topic) && current.isWelcomed()) {
            current.send(new ClientFrame.Unsubscribe(topic));
        }
    }

    /** Sends {@code frame} if a session is open, else fails {@code sent}: nothing is queued across reconnects. */
    void sendIfConnected(ClientFrame frame, CompletableFuture<Void> sent) {
        if (!current.isWelcomed()) {
            sent.completeExceptionally(new IllegalStateException("not connected (client is " + state + ")"));
            return;
        }
        try {
            current.sendOrThrow(frame);
            sent.complete(null);
        } catch (IOException | RuntimeException e) {
            sent.completeExceptionally(e);
        }
    }

    /** The last step of close(): closes the session with 1000 and tells the listener, if one was open. */
    void shutDown() {
        cancelTimers();
        boolean wasOpen = current.isWelcomed();
        Connection open = current.clear();
        state = State.CLOSED;
        started.completeExceptionally(new IOException("client closed"));
        if (open != null) {
            open.close(CloseReason.CloseCodes.NORMAL_CLOSURE, "client closed");
        }
        if (wasOpen) {
            listener.disconnected(1000, "client closed", false);
        }
    }

    // ---- connecting ---------------------------------------------------------------------------

    private void attempt() {
        attempts.scheduledAttemptStarted();
        if (closed) {
            return;
        }
        state = State.CONNECTING;
        String token;
        try {
            token = attempts.tokenForAttempt();
        } catch (RuntimeException e) {
            connectFailed(new IOException("no token: " + e, e), null); // e.g. the token service is down: retry
            return;
        }
        Connection connection = new Connection(connectionEvents, token);
        current.replaceWith(connection);
        try {
            attempts.open(connection);
        } catch (DeploymentException | IOException | RuntimeException e) {
            if (current.is(connection)) {
                current.clear();
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
        listener.connectFailed(cause, willRetry);
        if (willRetry) {
            scheduleReconnect();
        } else {
            stop(cause);
        }
    }

    private boolean shouldRetry(RetryDecision decision, String usedToken) {
        return !closed && attempts.shouldRetry(decision, usedToken);
    }

    private void scheduleReconnect() {
        state = State.RECONNECTING;
        if (!attempts.scheduleNext(this::attempt)) {
            state = State.CLOSED; // the executor is shutting down: close() is under way
        }
    }

    /** Gives up until the next connect(). */
    private void stop(Exception cause) {
        state = State.STOPPED;
        cancelTimers();
        started.completeExceptionally(cause);
    }

    private void cancelTimers() {
        heartbeat.stop();
        attempts.cancelScheduled();
    }

    // ---- frames in ----------------------------------------------------------------------------

    private void frameArrived(Connection connection, String text) {
        if (!current.is(connection)) {
            return; // a connection given up already (closed locally or by the heartbeat check)
        }
        heartbeat.frameArrived();
        ServerFrame frame;
        try {
            frame = codec.decodeServerFrame(text);
        } catch (JsonbException | JsonException | ClassCastException | NullPointerException e) {
            listener.unreadableFrame(e);
            return;
        }
        if (frame instanceof ServerFrame.Message message) {
            delivery.deliver(connection, message);
        } else if (frame instanceof ServerFrame.Welcome welcome) {
            welcomed(welcome);
        } else if (frame instanceof ServerFrame.Subscribed subscribed) {
            subscribed(subscribed);
        } else if (frame instanceof ServerFrame.Error error) {
            serverError(error);
        } else if (frame instanceof ServerFrame.Expiring) {
            refreshToken(connection);
        } else if (frame instanceof ServerFrame.Refreshed refreshed) {
            listener.tokenRefreshed(Instant.ofEpochSecond(refreshed.exp()));
        }
        // pong: resetting the heart-beat check is all it is for
    }

    private void welcomed(ServerFrame.Welcome welcome) {
        current.markWelcomed();
        state = State.CONNECTED;
        listener.connected(welcome.sessionId(), welcome.user());
        for (String topic : subscriptions.awaitAnswersForAll()) {
            current.send(subscriptions.subscribeRequest(topic));
        }
        heartbeat.start(current.get(), welcome.heartbeatMs());
        if (subscriptions.allAnswered()) {
            established();
        }
    }

    /**
     * The server says the session's token is expiring: refresh it in place with a new one from the
     * token supplier (docs/protocol.md, Token lifecycle). Without a new token nothing is sent; the session is
     * then closed with 1008 when the token runs out, and the client reconnects if the supplier has
     * a new token by then.
     */
    private void refreshToken(Connection connection) {
        String fresh = attempts.tokenForRefresh(connection.token());
        if (fresh == null) {
            LOG.log(System.Logger.Level.DEBUG, "channel {0}: token expiring and the supplier has no new one", channelId);
            return;
        }
        // Remembered at once: if the session closes before the answer, a reconnect compares with this one.
        connection.tokenRefreshed(fresh);
        current.send(connection, new ClientFrame.Refresh(fresh));
    }

    private void subscribed(ServerFrame.Subscribed answer) {
        if (!subscriptions.contains(answer.topic())) {
            return; // unsubscribed meanwhile
        }
        RecoveryFailure failure = subscriptions.recordSubscribed(answer);
        listener.subscribed(answer.topic(), answer.offset(), answer.epoch(), answer.recovered());
        if (failure != null) {
            LOG.log(System.Logger.Level.INFO, "topic {0} resumed with a gap: {1}", answer.topic(), failure);
            listener.recoveryFailed(failure);
        }
        answered(answer.topic());
    }

    private void serverError(ServerFrame.Error error) {
        ServerFrame.Ref ref = error.ref();
        listener.serverError(new ServerError(error.code(), error.message(), ref == null ? null : ref.type(),
                ref == null ? null : ref.topic()));
        if (ref != null && "subscribe".equals(ref.type()) && ref.topic() != null) {
            answered(ref.topic()); // a refused subscription is answered too: it must not hold up connect()
        }
    }

    private void answered(String topic) {
        if (subscriptions.answered(topic)) {
            established();
        }
    }

    /** The connection is good: open and every subscription answered. */
    private void established() {
        attempts.resetBackoff();
        started.complete(null);
    }

    private void connectionClosed(Connection connection, int code, String reason) {
        if (!current.is(connection)) {
            return;
        }
        current.clear();
        cancelTimers();
        if (closed) {
            return;
        }
        boolean willRetry = shouldRetry(RetryDecision.forCloseCode(code), connection.token());
        LOG.log(System.Logger.Level.DEBUG, "channel {0} closed with {1} {2}, retry: {3}", channelId, code, reason,
                willRetry);
        listener.disconnected(code, reason, willRetry);
        if (willRetry) {
            scheduleReconnect();
        } else {
            stop(new IOException("closed by the server with " + code + " " + reason));
        }
    }

    /** Container threads report here; everything continues on the event thread. */
    private final class EventThreadHop implements Connection.Events {
        @Override
        public void frame(Connection connection, String text) {
            events.execute(() -> frameArrived(connection, text));
        }

        @Override
        public void closed(Connection connection, int code, String reason) {
            events.execute(() -> connectionClosed(connection, code, reason));
        }

        @Override
        public void failed(Connection connection, Throwable failure) {
            // the container closes the session next (onClose, usually 1006): that decides what follows
            LOG.log(System.Logger.Level.DEBUG, "connection of channel {0} failed: {1}", channelId, failure.toString());
        }
    }
}
