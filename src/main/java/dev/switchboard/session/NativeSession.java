package dev.switchboard.session;

import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.LimitRefusals;
import dev.switchboard.broker.StreamPosition;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.protocol.ServerFrame;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One native-protocol connection: the state machine behind {@code /ws/channel}. Turns client
 * frames into broker calls and deliveries into queued {@code message} frames.
 *
 * <p>Threads: inbound frames arrive one at a time on the container's thread for this connection
 * (JSR 356 guarantees it); {@link #deliver} and {@link #disconnect} come from any thread and only
 * touch the thread-safe {@link OutboundQueue} and {@link SessionState}. {@link #ended()} may come
 * from another thread while {@link #start} or a frame is still running: a container that closes
 * the connection on our request (Tomcat) tells the endpoint on the thread that asked.
 *
 * <p>The phase is a {@link SessionState}: {@link #start} opens the session only if nobody closed
 * it meanwhile (a newer session on the same channel may replace it as soon as the broker has bound
 * it), and the timers it starts are cancelled even when the session ended before they were
 * started.
 */
public final class NativeSession implements Subscriber {

    /**
     * The {@code error} message when the cluster cannot be reached (cluster mode, Redis out of
     * reach): the request was not carried out and the session stays open; the client retries.
     */
    private static final String CLUSTER_UNAVAILABLE = "the cluster is unavailable; try again shortly";

    private static final Logger LOG = System.getLogger(NativeSession.class.getName());

    private final String sessionId;
    /**
     * Who the client is now: the handshake's identity until a {@code refresh} replaces it with the
     * new token's (same user and channel; roles, token id and expiry may change). Written on the
     * inbound thread, read by delivery threads and the broker (revocation), hence volatile.
     */
    private volatile ClientIdentity identity;
    private final NativeProtocol protocol;
    private final OutboundQueue outbound;
    private final Instant openedAt;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    /** OPENING until {@link #start}; CLOSING once a close was asked for; ENDED when the connection is gone. */
    private final SessionState state = new SessionState();
    /** Confined to the inbound thread. */
    private int consecutiveBadFrames;
    private final TokenTimers tokenTimers;
    private final PeerLiveness liveness;
    /** Confined to the inbound thread, like the frames it counts. */
    private final InboundRate inboundRate;
    /**
     * Deliveries that arrive after the broker registered the session and before its welcome is
     * queued (a push or a redelivery for its user, on another thread): held here so that the
     * welcome stays the first frame (docs/protocol.md, Server frames), then queued right behind it.
     * Null once the welcome is queued. Written under {@link #welcomeLock}.
     */
    private volatile List<Delivery> heldUntilWelcome = new ArrayList<>();
    private final Object welcomeLock = new Object();

    NativeSession(String sessionId, ClientIdentity identity, FrameSink sink, NativeProtocol protocol) {
        this.sessionId = sessionId;
        this.identity = identity;
        this.protocol = protocol;
        this.openedAt = protocol.services.clock().instant();
        SessionLimits limits = protocol.services.limits();
        this.outbound = protocol.services.outboundQueue(sink, new QueueEventLog(this, protocol.services.broker().stats()));
        this.liveness = new PeerLiveness(protocol.services.clock(), limits.heartbeatMs());
        this.inboundRate = new InboundRate(limits.inbound(), protocol.services.clock());
        this.tokenTimers = new TokenTimers(protocol.services, protocol.tokens.expiringNotice(),
                exp -> send(new ServerFrame.Expiring(exp.getEpochSecond())), () -> {
                    LOG.log(Level.INFO, "Token of user {0} expired; closing session {1}", user(), sessionId);
                    disconnect(CloseCode.TOKEN_EXPIRED);
                });
    }

    /**
     * Registers the open session with the broker and greets the client. Returns false if the
     * session did not open: the channel reservation was superseded by a newer session (then it
     * closes with 4009), or the session was closed or replaced on another thread while it was
     * being registered (then whoever closed it chose the close code, and this takes the
     * registration back).
     */
    public boolean start(ChannelReservation reservation) {
        if (!protocol.services.broker().open(this, reservation)) {
            LOG.log(Level.INFO, "Session {0} of user {1} lost channel {2} to a newer session before opening",
                    sessionId, identity.user(), identity.channelId());
            disconnect(CloseCode.REPLACED);
            return false;
        }
        if (!state.open()) {
            // Between open() and here a newer session took the channel (4009), or the connection ended.
            LOG.log(Level.DEBUG, "Session {0} of user {1} was closed while it was being opened",
                    sessionId, identity.user());
            protocol.services.broker().close(this, Set.of());
            return false;
        }
        welcome();
        protocol.services.broker().deliverWaiting(this);
        // The expiring notice and the close at expiry; ended() stops them, even before this (then nothing starts).
        tokenTimers.follow(identity);
        liveness.start(protocol.services.scheduler(), outbound, () -> {
            LOG.log(Level.INFO, "Session {0} (user {1}, channel {2}) answered no heart-beat for two intervals; "
                    + "closing with 4001", sessionId, identity.user(), identity.channelId());
            disconnect(CloseCode.PEER_SILENT);
        });
        return true;
    }

    /**
     * Counts {@code bytes} of inbound text (a whole message or part of one; {@code endsMessage} on
     * its last part) against the session's inbound allowance, before it is decoded. Returns false
     * once the allowance is spent: the session is then closing with 4029 and the text is to be
     * dropped. Called on the inbound thread.
     */
    public boolean admitInbound(int bytes, boolean endsMessage) {
        if (inboundRate.take(bytes, endsMessage)) {
            return true;
        }
        if (state.beginClosing()) {
            LOG.log(Level.INFO, "Session {0} of user {1} exceeded its inbound rate; closing with 4029", sessionId,
                    identity.user());
            protocol.services.broker().stats().limitRefusals().refused(LimitRefusals.Limit.INBOUND_RATE);
            outbound.close(CloseCode.RATE_LIMITED);
        }
        return false;
    }

    /** A pong (or any other sign of life) arrived from the peer. */
    public void onPong() {
        liveness.heard();
    }

    /** Handles one decoded inbound text frame. */
    public void onFrame(NativeFrameCodec.Decoded decoded) {
        liveness.heard();
        if (decoded instanceof NativeFrameCodec.Decoded.Malformed malformed) {
            onMalformed(malformed);
            return;
        }
        if (decoded instanceof NativeFrameCodec.Decoded.TooBig tooBig) {
            LOG.log(Level.INFO, "Session {0} of user {1} sent a {2}-byte frame over the {3}-byte limit; closing with 1009",
                    sessionId, identity.user(), String.valueOf(tooBig.bytes()), String.valueOf(tooBig.limit()));
            disconnect(CloseCode.TOO_BIG);
            return;
        }
        consecutiveBadFrames = 0;
        ClientFrame frame = ((NativeFrameCodec.Decoded.Frame) decoded).frame();
        if (frame instanceof ClientFrame.Subscribe subscribe) {
            subscribe(subscribe);
        } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
            unsubscribe(unsubscribe);
        } else if (frame instanceof ClientFrame.Publish publish) {
            publish(publish);
        } else if (frame instanceof ClientFrame.Send sendFrame) {
            sendToHandler(sendFrame);
        } else if (frame instanceof ClientFrame.Ack ack) {
            acknowledge(ack);
        } else if (frame instanceof ClientFrame.Ping) {
            send(new ServerFrame.Pong());
        } else if (frame instanceof ClientFrame.Refresh refresh) {
            refresh(refresh);
        }
    }

    private void onMalformed(NativeFrameCodec.Decoded.Malformed malformed) {
        consecutiveBadFrames++;
        sendError(ErrorCode.BAD_REQUEST, malformed.message(), malformed.ref());
        if (consecutiveBadFrames >= protocol.services.limits().maxBadFrames()) {
            LOG.log(Level.INFO, "Session {0} of user {1} sent {2} malformed frames in a row; closing with 1008",
                    sessionId, identity.user(), String.valueOf(consecutiveBadFrames));
            disconnect(CloseCode.POLICY_VIOLATION);
        }
    }

    private void subscribe(ClientFrame.Subscribe frame) {
        ServerFrame.Ref ref = new ServerFrame.Ref("subscribe", frame.topic());
        if (!TopicNames.isValid(frame.topic())) {
            sendError(ErrorCode.BAD_REQUEST, "topic must match " + TopicNames.RULE, ref);
            return;
        }
        StreamPosition since = null;
        if (frame.since() != null) {
            if (frame.since().offset() == null || frame.since().epoch() == null) {
                sendError(ErrorCode.BAD_REQUEST, "since needs offset and epoch", ref);
                return;
            }
            since = new StreamPosition(frame.since().offset(), frame.since().epoch());
        }
        if (!protocol.services.access().maySubscribe(identity, frame.topic())) {
            sendError(ErrorCode.FORBIDDEN, "not allowed to subscribe to this topic", ref);
            return;
        }
        SessionLimits limits = protocol.services.limits();
        if (!topics.contains(frame.topic()) && !limits.maySubscribeBeyond(topics.size())) {
            // forbidden, not rate_limited: waiting does not help, unsubscribing does.
            protocol.services.broker().stats().limitRefusals().refused(LimitRefusals.Limit.SUBSCRIPTIONS);
            sendError(ErrorCode.FORBIDDEN, "at most " + limits.maxSubscriptions() + " subscriptions per session", ref);
            return;
        }
        boolean added = topics.add(frame.topic());
        try {
            protocol.services.broker().subscribe(frame.topic(), this, since, this::deliver, outcome -> send(
                    new ServerFrame.Subscribed(outcome.topic(), outcome.offset(), outcome.epoch(), outcome.recovered())));
        } catch (ClusterUnavailableException e) {
            if (added) {
                topics.remove(frame.topic());
            }
            sendError(ErrorCode.INTERNAL, CLUSTER_UNAVAILABLE, ref);
            return;
        }
        // If ended() ran meanwhile on another thread, its snapshot of the topics may predate this
        // one: take the subscription back, or the broker would keep the dead session for ever.
        // Either this sees ENDED or that snapshot saw the topic; unsubscribing twice is harmless.
        if (state.phase() == SessionState.Phase.ENDED) {
            protocol.services.broker().unsubscribe(frame.topic(), this);
        }
    }

    private void unsubscribe(ClientFrame.Unsubscribe frame) {
        if (frame.topic() == null || !topics.remove(frame.topic())) {
            sendError(ErrorCode.NOT_FOUND, "not subscribed to this topic", new ServerFrame.Ref("unsubscribe", frame.topic()));
            return;
        }
        protocol.services.broker().unsubscribe(frame.topic(), this);
    }

    private void publish(ClientFrame.Publish frame) {
        ServerFrame.Ref ref = new ServerFrame.Ref("publish", frame.topic());
        if (!TopicNames.isValid(frame.topic())) {
            sendError(ErrorCode.BAD_REQUEST, "topic must match " + TopicNames.RULE, ref);
            return;
        }
        if (frame.data() == null) {
            sendError(ErrorCode.BAD_REQUEST, "publish needs data", ref);
            return;
        }
        if (!protocol.services.access().mayPublish(identity, frame.topic())) {
            sendError(ErrorCode.FORBIDDEN, "not allowed to publish to this topic (publisher role or a rule)", ref);
            return;
        }
        try {
            protocol.services.broker().publish(frame.topic(), protocol.codec.toJson(frame.data()));
        } catch (ClusterUnavailableException e) {
            sendError(ErrorCode.INTERNAL, CLUSTER_UNAVAILABLE, ref);
        }
    }

    private void sendToHandler(ClientFrame.Send frame) {
        ServerFrame.Ref ref = new ServerFrame.Ref("send", null);
        if (frame.to() == null || frame.data() == null) {
            sendError(ErrorCode.BAD_REQUEST, "send needs to and data", ref);
            return;
        }
        if (!protocol.services.access().maySend(identity, frame.to())) {
            sendError(ErrorCode.FORBIDDEN, "not allowed to send to '" + frame.to() + "'", ref);
            return;
        }
        Optional<ApplicationHandler> handler = protocol.services.handlers().forDestination(frame.to());
        if (handler.isEmpty()) {
            sendError(ErrorCode.NOT_FOUND, "no handler for destination '" + frame.to() + "'", ref);
            return;
        }
        try {
            handler.get().handle(new ApplicationHandler.InboundMessage(identity.user(), sessionId,
                    protocol.codec.toJson(frame.data())));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Handler for ''" + frame.to() + "'' failed for session " + sessionId, e);
            sendError(ErrorCode.INTERNAL, "the handler failed", ref);
        }
    }

    /**
     * Replaces the session's token (docs/protocol.md, Token lifecycle). The new token passes every check of
     * the handshake (signature, times, audience, revocation, the channel rule for this session's
     * channel) and names the same user; then it is the session's identity, and its expiry the one
     * the timers follow. Refused, the session keeps its old token and expiry and stays open.
     */
    private void refresh(ClientFrame.Refresh frame) {
        ServerFrame.Ref ref = new ServerFrame.Ref("refresh", null);
        if (frame.token() == null) {
            sendError(ErrorCode.BAD_REQUEST, "refresh needs token", ref);
            return;
        }
        TokenRefresh.Outcome outcome = TokenRefresh.check(protocol.tokens, identity, frame.token());
        if (outcome instanceof TokenRefresh.Outcome.Refused refused) {
            LOG.log(Level.INFO, "Session {0} of user {1}: token refresh refused ({2})", sessionId, user(),
                    refused.reason());
            sendError(ErrorCode.FORBIDDEN, refused.reason(), ref);
            return;
        }
        ClientIdentity renewed = ((TokenRefresh.Outcome.Accepted) outcome).identity();
        identity = renewed;
        tokenTimers.follow(renewed);
        dropSubscriptionsNoLongerAllowed(renewed);
        LOG.log(Level.DEBUG, "Session {0} of user {1} refreshed its token; it now expires at {2}", sessionId,
                renewed.user(), renewed.tokenExpiresAt());
        send(new ServerFrame.Refreshed(renewed.tokenExpiresAt().getEpochSecond()));
    }

    /**
     * The new token may carry fewer rights than the old one (roles, claims): a subscription it
     * would not be granted now ends, with the {@code error} a refused {@code subscribe} gets.
     */
    private void dropSubscriptionsNoLongerAllowed(ClientIdentity renewed) {
        for (String topic : Set.copyOf(topics)) {
            if (!protocol.services.access().maySubscribe(renewed, topic) && topics.remove(topic)) {
                protocol.services.broker().unsubscribe(topic, this);
                sendError(ErrorCode.FORBIDDEN, "the refreshed token does not allow this topic; unsubscribed",
                        new ServerFrame.Ref("subscribe", topic));
            }
        }
    }

    /** Clears the message for every session of this user (or channel); an unknown id is harmless. */
    private void acknowledge(ClientFrame.Ack frame) {
        if (frame.id() == null) {
            sendError(ErrorCode.BAD_REQUEST, "ack needs id", new ServerFrame.Ref("ack", null));
            return;
        }
        try {
            protocol.services.broker().acknowledge(this, frame.id());
        } catch (ClusterUnavailableException e) {
            sendError(ErrorCode.INTERNAL, CLUSTER_UNAVAILABLE, new ServerFrame.Ref("ack", null));
        }
    }

    private void sendError(ErrorCode code, String message, ServerFrame.Ref ref) {
        send(new ServerFrame.Error(code.wire(), message, ref));
    }

    private void send(ServerFrame frame) {
        outbound.offer(protocol.codec.encode(frame));
    }

    @Override
    public void deliver(Delivery delivery) {
        if (heldUntilWelcome != null && holdUntilWelcome(delivery)) {
            return;
        }
        queue(delivery);
    }

    private void queue(Delivery delivery) {
        outbound.offer(protocol.deliveries.frame(delivery));
    }

    /** Holds {@code delivery} if the welcome is not queued yet; false if it is (send it now). */
    private boolean holdUntilWelcome(Delivery delivery) {
        synchronized (welcomeLock) {
            List<Delivery> held = heldUntilWelcome;
            if (held == null) {
                return false;
            }
            held.add(delivery);
            return true;
        }
    }

    /** Queues the welcome, then whatever was delivered while the session was being registered. */
    private void welcome() {
        synchronized (welcomeLock) {
            send(new ServerFrame.Welcome(sessionId, identity.channelId(), identity.user(),
                    protocol.services.limits().heartbeatMs()));
            heldUntilWelcome.forEach(this::queue);
            heldUntilWelcome = null;
        }
    }

    @Override
    public boolean canTakeReplay(List<Delivery> missed) {
        long bytes = 0;
        for (Delivery delivery : missed) {
            bytes += protocol.deliveries.frame(delivery).utf8Length(); // encoded once: the replay reuses it
        }
        return outbound.hasRoomForReplay(bytes, missed.size());
    }

    /** Any thread; only the first close of the session counts (its code is the one the client sees). */
    @Override
    public void disconnect(CloseCode reason) {
        if (state.beginClosing()) {
            outbound.close(reason);
        }
    }

    /** The connection has closed (any reason): forget it everywhere. Idempotent, any thread. */
    public void ended() {
        if (!state.end()) {
            return;
        }
        tokenTimers.stop();
        liveness.stop();
        outbound.connectionClosed();
        protocol.services.broker().close(this, Set.copyOf(topics));
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String user() {
        return identity.user();
    }

    @Override
    public String tokenId() {
        return identity.tokenId();
    }

    @Override
    public String channelId() {
        return identity.channelId();
    }

    @Override
    public CloseCode closeCode() {
        CloseCode code = outbound.closeCode();
        return code == null ? CloseCode.NORMAL : code;
    }

    @Override
    public String protocol() {
        return "native";
    }

    @Override
    public Instant openedAt() {
        return openedAt;
    }
}
