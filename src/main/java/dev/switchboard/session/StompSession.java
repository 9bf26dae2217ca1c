package dev.switchboard.session;

import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.StreamPosition;
import dev.switchboard.broker.SubscribeOutcome;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.broker.TopicDestinations;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompDecoder;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One STOMP connection (CONTRACT.md section 3): the state machine behind {@code /ws/stomp}.
 * CONNECT authenticates (and claims a channel if one is named); then SUBSCRIBE, SEND, ACK/NACK,
 * transactions and receipts, with heart-beats both ways. Every protocol error is answered with an
 * ERROR frame and the connection is closed after it (STOMP 1.2, "ERROR").
 *
 * <p>Threads: inbound WebSocket messages arrive one at a time on the container's thread for this
 * connection; the inbound-only state below is confined to it. Deliveries, timers and disconnects
 * come from other threads and touch only thread-safe state.
 */
public final class StompSession implements Subscriber {

    private static final Logger LOG = System.getLogger(StompSession.class.getName());
    private static final String USER_PREFIX = "/user/";
    private static final String USER_QUEUE_PREFIX = "/user/queue/";
    private static final String APP_PREFIX = "/app/";
    /** The user destination of pushes without a {@code destination}, of channel pushes and of broadcasts. */
    static final String DEFAULT_USER_DESTINATION = "messages";
    static final String CHANNEL_USER_DESTINATION = "channel";
    static final String BROADCAST_USER_DESTINATION = "broadcast";
    private static final String REDELIVERED_HEADER = "redelivered:true\n";

    private enum State { AWAITING_CONNECT, CONNECTED, ENDED }

    private final String sessionId;
    private final StompProtocol protocol;
    private final OutboundQueue outbound;
    private final String handshakeToken;
    private final String handshakeChannelId;
    private final Instant openedAt;
    private final StompDecoder decoder;
    private final AtomicBoolean ended = new AtomicBoolean();

    // Written once by CONNECT on the inbound thread, read by delivery threads after the broker saw the session.
    private volatile State state = State.AWAITING_CONNECT;
    private volatile StompVersion version = StompVersion.V1_2;
    private volatile ClientIdentity identity;
    private volatile long lastInboundMillis;

    private final Map<String, StompSubscription> subscriptionsById = new ConcurrentHashMap<>();
    private final Map<String, List<StompSubscription>> subscriptionsByTopic = new ConcurrentHashMap<>();
    private final PendingAcks pendingAcks = new PendingAcks();
    /** Extra headers for the RECEIPT of the frame being handled. Confined to the inbound thread. */
    private StompHeaders receiptHeaders;
    /** Frames held in open transactions, by transaction id. Confined to the inbound thread. */
    private final Map<String, List<StompFrame>> transactions = new HashMap<>();
    private final List<ScheduledFuture<?>> timers = new CopyOnWriteArrayList<>();
    private final PeerLiveness liveness;

    StompSession(String sessionId, FrameSink sink, String handshakeToken, String handshakeChannelId,
            StompProtocol protocol) {
        this.sessionId = sessionId;
        this.protocol = protocol;
        this.handshakeToken = handshakeToken;
        this.handshakeChannelId = handshakeChannelId;
        this.openedAt = protocol.services.clock().instant();
        this.lastInboundMillis = protocol.services.clock().millis();
        this.decoder = new StompDecoder(protocol.settings.codecLimits());
        SessionLimits limits = protocol.services.limits();
        this.outbound = new OutboundQueue(sink, protocol.services.senders(), limits.maxQueuedChars(), limits.maxQueuedFrames(),
                new QueueEventLog(this, protocol.services.broker().stats()));
        // WebSocket pings find half-open connections whatever STOMP heart-beats were negotiated.
        this.liveness = new PeerLiveness(protocol.services.clock(), limits.heartbeatMs());
        liveness.start(protocol.services.scheduler(), outbound, () -> {
            LOG.log(Level.INFO, "STOMP session {0} (user {1}) answered no heart-beat ping; closing with 4001",
                    sessionId, user());
            disconnect(CloseCode.PEER_SILENT);
        });
    }

    /** A pong arrived from the peer. */
    public void onPong() {
        liveness.heard();
    }

    /** Handles the bytes of one inbound WebSocket message (text messages as UTF-8). */
    public void onMessage(ByteBuffer bytes) {
        if (state == State.ENDED) {
            return;
        }
        lastInboundMillis = protocol.services.clock().millis();
        liveness.heard();
        StompDecoder.Result result = decoder.decode(bytes);
        for (StompFrame frame : result.frames()) {
            if (state == State.ENDED) {
                return;
            }
            try {
                handle(frame);
            } catch (ProtocolError error) {
                fail(error.getMessage(), error.detail, frame.header("receipt"), error.closeCode);
                return;
            }
        }
        if (result.error() != null) {
            fail("malformed frame", result.error(), null, CloseCode.POLICY_VIOLATION);
        }
    }

    private void handle(StompFrame frame) throws ProtocolError {
        StompCommand command = frame.command();
        if (state == State.AWAITING_CONNECT) {
            if (command != StompCommand.CONNECT && command != StompCommand.STOMP) {
                throw new ProtocolError("CONNECT expected", command + " received before CONNECT");
            }
            connect(frame);
            return;
        }
        String transaction = frame.header("transaction");
        if (transaction != null && isTransactional(command)) {
            List<StompFrame> held = transactions.get(transaction);
            if (held == null) {
                throw new ProtocolError("unknown transaction", "transaction '" + transaction + "' was not begun");
            }
            held.add(frame);
        } else {
            execute(frame);
        }
        String receipt = frame.header("receipt");
        StompHeaders extra = receiptHeaders;
        receiptHeaders = null;
        if (receipt != null && state != State.ENDED) {
            StompHeaders.Builder headers = StompHeaders.builder().add("receipt-id", receipt);
            if (extra != null) {
                extra.entries().forEach(header -> headers.add(header.getKey(), header.getValue()));
            }
            sendFrame(StompFrame.of(StompCommand.RECEIPT, headers.build()));
        }
    }

    private static boolean isTransactional(StompCommand command) {
        return command == StompCommand.SEND || command == StompCommand.ACK || command == StompCommand.NACK;
    }

    private void execute(StompFrame frame) throws ProtocolError {
        switch (frame.command()) {
            case SEND -> send(frame);
            case SUBSCRIBE -> subscribe(frame);
            case UNSUBSCRIBE -> unsubscribe(frame);
            case ACK -> acknowledge(frame, false);
            case NACK -> acknowledge(frame, true);
            case BEGIN -> begin(frame);
            case COMMIT -> commit(frame);
            case ABORT -> transactions.remove(required(frame, "transaction"));
            case DISCONNECT -> disconnectOnRequest(frame);
            case CONNECT, STOMP -> throw new ProtocolError("already connected", "a second CONNECT on one connection");
            default -> throw new ProtocolError("unexpected frame", frame.command() + " is a server frame");
        }
    }

    // ---- CONNECT ------------------------------------------------------------------------------

    private void connect(StompFrame frame) throws ProtocolError {
        StompVersion negotiated = negotiateVersion(frame.header("accept-version"));
        version = negotiated;
        decoder.version(negotiated);
        String channelId = firstNonNull(frame.header("channelId"), handshakeChannelId);
        if (channelId != null && !TopicNames.isValid(channelId)) {
            throw new ProtocolError("bad channelId", "channelId must match [A-Za-z0-9._:-]{1,128}");
        }
        ClientAuthenticator.Result auth = protocol.authenticator.authenticate(token(frame), channelId);
        if (auth instanceof ClientAuthenticator.Result.Refused refused) {
            throw new ProtocolError("authentication failed", refused.reason());
        }
        ClientIdentity client = ((ClientAuthenticator.Result.Authenticated) auth).identity();
        ChannelReservation reservation = null;
        if (channelId != null) {
            ChannelClaim claim = protocol.services.broker().claimChannel(channelId, client.user(), protocol.settings.channelPolicy());
            if (!(claim instanceof ChannelClaim.Granted granted)) {
                throw new ProtocolError("channel already has an open session", "channel " + channelId + " is taken");
            }
            reservation = granted.reservation();
        }
        identity = client;
        if (!protocol.services.broker().open(this, reservation)) {
            throw new ProtocolError("replaced by a newer session", "channel " + channelId + " was taken meanwhile",
                    CloseCode.REPLACED);
        }
        state = State.CONNECTED;
        long[] heartBeat = negotiateHeartbeats(frame.header("heart-beat"));
        sendFrame(StompFrame.of(StompCommand.CONNECTED, StompHeaders.builder()
                .add("version", negotiated.wire())
                .add("heart-beat", heartBeat[0] + "," + heartBeat[1])
                .add("server", protocol.settings.serverName())
                .add("session", sessionId)
                .add("user-name", client.user())
                .build()));
        startHeartbeats(heartBeat[0], heartBeat[1]);
        scheduleTokenExpiry(client);
    }

    private static StompVersion negotiateVersion(String acceptVersion) throws ProtocolError {
        if (acceptVersion == null) {
            return StompVersion.V1_0; // STOMP 1.2, "Protocol Negotiation": no header means 1.0
        }
        StompVersion best = null;
        for (String offered : acceptVersion.split(",")) {
            Optional<StompVersion> version = StompVersion.fromWire(offered.trim());
            if (version.isPresent() && (best == null || version.get().compareTo(best) > 0)) {
                best = version.get();
            }
        }
        if (best == null) {
            throw new ProtocolError("unsupported version", "supported versions are 1.0,1.1,1.2");
        }
        return best;
    }

    private String token(StompFrame frame) {
        String authorization = frame.header("Authorization");
        if (authorization == null) {
            authorization = frame.header("authorization");
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return firstNonNull(frame.header("passcode"), handshakeToken);
    }

    /**
     * CONNECT's {@code heart-beat: cx,cy} against our floor: we send every {@code max(cy, floor)}
     * if the client wants beats, and expect one every {@code max(cx, floor)} if it offers them.
     * Returns {@code {sx, sy}} for CONNECTED.
     */
    private long[] negotiateHeartbeats(String header) throws ProtocolError {
        long clientSends = 0;
        long clientWants = 0;
        if (header != null) {
            String[] parts = header.split(",");
            try {
                clientSends = Long.parseLong(parts[0].trim());
                clientWants = Long.parseLong(parts[1].trim());
            } catch (RuntimeException e) {
                throw new ProtocolError("bad heart-beat header", "heart-beat must be two integers: cx,cy");
            }
        }
        long floor = protocol.settings.minHeartbeat().toMillis();
        return new long[] {clientWants > 0 ? Math.max(clientWants, floor) : 0,
                clientSends > 0 ? Math.max(clientSends, floor) : 0};
    }

    private void startHeartbeats(long sendEveryMs, long expectEveryMs) {
        if (sendEveryMs > 0) {
            timers.add(protocol.services.scheduler().scheduleAtFixedRate(() -> outbound.offer(StompEncoder.HEARTBEAT),
                    sendEveryMs, sendEveryMs, TimeUnit.MILLISECONDS));
        }
        if (expectEveryMs > 0) {
            // A beat may be late by up to one interval (STOMP 1.2 suggests a margin) before the peer counts as gone.
            long toleranceMs = 2 * expectEveryMs;
            timers.add(protocol.services.scheduler().scheduleAtFixedRate(() -> {
                long silentMs = protocol.services.clock().millis() - lastInboundMillis;
                if (silentMs > toleranceMs) {
                    LOG.log(Level.INFO, "STOMP session {0} (user {1}) silent for {2} ms; dropping it", sessionId,
                            user(), String.valueOf(silentMs));
                    fail("heart-beat timeout", "nothing received for " + silentMs + " ms", null,
                            CloseCode.POLICY_VIOLATION);
                }
            }, expectEveryMs, expectEveryMs / 2, TimeUnit.MILLISECONDS));
        }
    }

    private void scheduleTokenExpiry(ClientIdentity client) {
        if (client.tokenValidUntil() == null) {
            return;
        }
        long delayMs = Duration.between(protocol.services.clock().instant(), client.tokenValidUntil()).toMillis();
        timers.add(protocol.services.scheduler().schedule(
                () -> fail("token expired", "the session's token expired", null, CloseCode.POLICY_VIOLATION),
                Math.max(0, delayMs), TimeUnit.MILLISECONDS));
    }

    // ---- SUBSCRIBE / UNSUBSCRIBE ----------------------------------------------------------------

    private void subscribe(StompFrame frame) throws ProtocolError {
        String destination = required(frame, "destination");
        // STOMP 1.0 makes the id optional; the destination then identifies the subscription.
        String id = version == StompVersion.V1_0 ? firstNonNull(frame.header("id"), destination) : required(frame, "id");
        StompSubscription.AckMode ackMode = StompSubscription.AckMode.fromHeader(frame.header("ack"));
        if (ackMode == null) {
            throw new ProtocolError("bad ack mode", "ack must be auto, client or client-individual");
        }
        if (subscriptionsById.containsKey(id)) {
            throw new ProtocolError("duplicate subscription id", "subscription id '" + id + "' is already in use");
        }
        if (destination.startsWith(USER_PREFIX)) {
            String name = ownUserQueue(destination);
            subscriptionsById.put(id, new StompSubscription(id, destination, null, name, ackMode));
            // Messages pushed with an ack while the user was away go to the user queues that now exist.
            protocol.services.broker().deliverWaiting(this);
            return;
        }
        String topic = TopicDestinations.topicOf(destination);
        if (topic == null) {
            throw new ProtocolError("unknown destination",
                    "subscribe to /topic/<name>, /queue/<name> or /user/queue/<name>, not " + destination);
        }
        if (!protocol.services.access().maySubscribe(identity, topic)) {
            throw new ProtocolError("forbidden", "not allowed to subscribe to " + destination);
        }
        StompSubscription subscription = new StompSubscription(id, destination, topic, null, ackMode);
        subscriptionsById.put(id, subscription);
        StreamPosition since = sincePosition(frame);
        boolean first = subscriptionsByTopic.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).isEmpty();
        subscriptionsByTopic.get(topic).add(subscription);
        if (first || since != null) {
            SubscribeOutcome outcome = protocol.services.broker().subscribe(topic, this, since,
                    missed -> sendMessage(subscription, missed), ignored -> { });
            if (since != null) {
                // STOMP has no "subscribed" frame: a RECEIPT for this SUBSCRIBE tells how the resume went.
                receiptHeaders = StompHeaders.builder()
                        .add("recovered", Boolean.toString(outcome.recovered()))
                        .add("offset", Long.toString(outcome.offset()))
                        .add("epoch", outcome.epoch())
                        .build();
            }
        }
    }

    /** The {@code since-offset} and {@code since-epoch} headers of a SUBSCRIBE (both or neither). */
    private static StreamPosition sincePosition(StompFrame frame) throws ProtocolError {
        String offset = frame.header("since-offset");
        String epoch = frame.header("since-epoch");
        if (offset == null && epoch == null) {
            return null;
        }
        try {
            if (epoch == null) {
                throw new NumberFormatException("no epoch");
            }
            return new StreamPosition(Long.parseLong(offset), epoch);
        } catch (NumberFormatException e) {
            throw new ProtocolError("bad since headers", "since-offset must be a number and come with since-epoch");
        }
    }

    /** The name in {@code /user/queue/<name>}; any other user destination is refused. */
    private static String ownUserQueue(String destination) throws ProtocolError {
        String name = destination.startsWith(USER_QUEUE_PREFIX) ? destination.substring(USER_QUEUE_PREFIX.length()) : null;
        if (!TopicNames.isValid(name)) {
            throw new ProtocolError("forbidden", "user destinations are /user/queue/<name>, for oneself only");
        }
        return name;
    }

    private void unsubscribe(StompFrame frame) throws ProtocolError {
        String id = version == StompVersion.V1_0
                ? firstNonNull(frame.header("id"), frame.header("destination"))
                : required(frame, "id");
        StompSubscription subscription = id == null ? null : subscriptionsById.remove(id);
        if (subscription == null) {
            return; // unsubscribing twice is harmless
        }
        cancelTimeouts(pendingAcks.removeSubscription(id));
        if (subscription.topic() != null) {
            List<StompSubscription> onTopic = subscriptionsByTopic.get(subscription.topic());
            onTopic.remove(subscription);
            if (onTopic.isEmpty()) {
                subscriptionsByTopic.remove(subscription.topic());
                protocol.services.broker().unsubscribe(subscription.topic(), this);
            }
        }
    }

    // ---- SEND -----------------------------------------------------------------------------------

    private void send(StompFrame frame) throws ProtocolError {
        String destination = required(frame, "destination");
        StompPayloads.InboundBody body;
        try {
            body = protocol.payloads.inbound(frame.body(), frame.header("content-type"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolError("bad body", e.getMessage());
        }
        String dataJson = protocol.payloads.toDataJson(body);
        if (destination.startsWith(APP_PREFIX)) {
            sendToHandler(destination.substring(APP_PREFIX.length()), dataJson);
        } else if (destination.startsWith(USER_PREFIX)) {
            sendToOwnUserQueue(destination, dataJson);
        } else {
            String topic = TopicDestinations.topicOf(destination);
            if (topic == null) {
                throw new ProtocolError("unknown destination",
                        "send to /topic/<name>, /queue/<name> or /app/<name>, not " + destination);
            }
            if (!protocol.services.access().mayPublish(identity, topic)) {
                throw new ProtocolError("forbidden", "publishing to " + destination + " needs the publisher role");
            }
            if (body instanceof StompPayloads.InboundBody.Binary binary) {
                protocol.services.broker().publishBinary(topic, binary.bytes(), binary.contentType());
            } else {
                protocol.services.broker().publish(topic, dataJson);
            }
        }
    }

    private void sendToHandler(String name, String dataJson) throws ProtocolError {
        Optional<ApplicationHandler> handler = protocol.services.handlers().forDestination(name);
        if (handler.isEmpty()) {
            throw new ProtocolError("no handler", "no application handler for /app/" + name);
        }
        try {
            handler.get().handle(new ApplicationHandler.InboundMessage(identity.user(), sessionId, dataJson));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Handler for /app/" + name + " failed for session " + sessionId, e);
            throw new ProtocolError("handler failed", "the handler for /app/" + name + " failed", CloseCode.INTERNAL_ERROR);
        }
    }

    /** {@code /user/<self>/queue/<name>}: a push to one's own sessions; other users are not reachable from a client. */
    private void sendToOwnUserQueue(String destination, String dataJson) throws ProtocolError {
        String ownPrefix = USER_PREFIX + identity.user() + "/queue/";
        String name = destination.startsWith(ownPrefix) ? destination.substring(ownPrefix.length()) : null;
        if (!TopicNames.isValid(name)) {
            throw new ProtocolError("forbidden", "a client may only send to its own /user/" + identity.user()
                    + "/queue/<name>");
        }
        protocol.services.broker().pushToUser(identity.user(), name, dataJson, false);
    }

    // ---- ACK / NACK -----------------------------------------------------------------------------

    private void acknowledge(StompFrame frame, boolean negative) throws ProtocolError {
        // The 1.2 "ack" header we send is the message id, so clients that ack by message-id work too.
        String ackId = switch (version) {
            case V1_2 -> ackIdOfMessage(required(frame, "id"));
            case V1_1 -> ackIdOf(required(frame, "subscription"), required(frame, "message-id"));
            case V1_0 -> ackIdOfMessage(required(frame, "message-id"));
        };
        StompSubscription subscription = ackId == null ? null : subscriptionsById.get(subscriptionIdOf(ackId));
        boolean cumulative = subscription != null && subscription.ackMode() == StompSubscription.AckMode.CLIENT;
        List<PendingAcks.Pending> settled = ackId == null ? List.of() : pendingAcks.remove(ackId, cumulative);
        cancelTimeouts(settled);
        for (PendingAcks.Pending pending : settled) {
            if (negative) {
                redeliver(pending);
            } else {
                // Messages the backend pushed with "ack": true leave the user's inbox with this ACK.
                protocol.services.broker().acknowledge(this, messageIdOf(pending.ackId));
            }
        }
        // An ack of an unknown or already settled message is harmless (CONTRACT.md section 5).
    }

    private static String ackIdOf(String subscriptionId, String messageId) {
        return subscriptionId + "/" + messageId;
    }

    private static String messageIdOf(String ackId) {
        return ackId.substring(ackId.lastIndexOf('/') + 1);
    }

    private static String subscriptionIdOf(String ackId) {
        int slash = ackId.lastIndexOf('/');
        return slash < 0 ? ackId : ackId.substring(0, slash);
    }

    /** STOMP 1.0 and 1.2 acks name only the message: find the subscription it was delivered on. */
    private String ackIdOfMessage(String messageId) {
        for (String subscriptionId : subscriptionsById.keySet()) {
            String candidate = ackIdOf(subscriptionId, messageId);
            if (pendingAcks.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private void redeliver(PendingAcks.Pending pending) {
        if (pending.attempts >= protocol.settings.maxDeliveryAttempts()) {
            protocol.services.broker().stats().dropped(1);
            LOG.log(Level.DEBUG, "Message {0} given up after {1} deliveries to session {2}", pending.ackId,
                    String.valueOf(pending.attempts), sessionId);
            return;
        }
        protocol.services.broker().stats().countRedelivery();
        Object wire = pending.attempts == 1 ? withRedeliveredHeader(pending.wire) : pending.wire;
        track(new PendingAcks.Pending(pending.ackId, pending.subscriptionId, wire, pending.attempts + 1));
        offer(wire);
    }

    /** Marks an encoded MESSAGE frame as a redelivery: a header right after the command line. */
    private static Object withRedeliveredHeader(Object wire) {
        if (wire instanceof String text) {
            int endOfCommand = text.indexOf('\n');
            return text.substring(0, endOfCommand + 1) + REDELIVERED_HEADER + text.substring(endOfCommand + 1);
        }
        byte[] bytes = (byte[]) wire;
        byte[] header = REDELIVERED_HEADER.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int afterCommand = indexOf(bytes, (byte) '\n') + 1;
        byte[] marked = new byte[bytes.length + header.length];
        System.arraycopy(bytes, 0, marked, 0, afterCommand);
        System.arraycopy(header, 0, marked, afterCommand, header.length);
        System.arraycopy(bytes, afterCommand, marked, afterCommand + header.length, bytes.length - afterCommand);
        return marked;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private void track(PendingAcks.Pending pending) {
        pendingAcks.add(pending);
        long timeoutMs = protocol.settings.ackTimeout().toMillis();
        pending.timeout = protocol.services.scheduler().schedule(() -> {
            PendingAcks.Pending expired = pendingAcks.expire(pending);
            if (expired != null) {
                redeliver(expired);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static void cancelTimeouts(List<PendingAcks.Pending> settled) {
        for (PendingAcks.Pending pending : settled) {
            if (pending.timeout != null) {
                pending.timeout.cancel(false);
            }
        }
    }

    // ---- transactions, DISCONNECT ---------------------------------------------------------------

    private void begin(StompFrame frame) throws ProtocolError {
        String transaction = required(frame, "transaction");
        if (transactions.putIfAbsent(transaction, new ArrayList<>()) != null) {
            throw new ProtocolError("transaction already begun", "transaction '" + transaction + "' is open");
        }
    }

    private void commit(StompFrame frame) throws ProtocolError {
        String transaction = required(frame, "transaction");
        List<StompFrame> held = transactions.remove(transaction);
        if (held == null) {
            throw new ProtocolError("unknown transaction", "transaction '" + transaction + "' was not begun");
        }
        for (StompFrame frameInTransaction : held) {
            execute(frameInTransaction);
        }
    }

    private void disconnectOnRequest(StompFrame frame) {
        String receipt = frame.header("receipt");
        if (receipt != null) {
            sendFrame(StompFrame.of(StompCommand.RECEIPT, StompHeaders.builder().add("receipt-id", receipt).build()));
        }
        state = State.ENDED;
        outbound.close(CloseCode.NORMAL);
    }

    // ---- deliveries -----------------------------------------------------------------------------

    @Override
    public void deliver(Delivery delivery) {
        if (state != State.CONNECTED) {
            return;
        }
        switch (delivery.target()) {
            case TOPIC -> {
                for (StompSubscription subscription : subscriptionsByTopic.getOrDefault(delivery.address(), List.of())) {
                    sendMessage(subscription, delivery);
                }
            }
            case USER -> deliverToUserQueue(delivery,
                    delivery.destination() == null ? DEFAULT_USER_DESTINATION : delivery.destination());
            case CHANNEL -> deliverToUserQueue(delivery, CHANNEL_USER_DESTINATION);
            case BROADCAST -> deliverToUserQueue(delivery, BROADCAST_USER_DESTINATION);
        }
    }

    private void deliverToUserQueue(Delivery delivery, String name) {
        for (StompSubscription subscription : subscriptionsById.values()) {
            if (name.equals(subscription.userDestination())) {
                sendMessage(subscription, delivery);
            }
        }
    }

    private void sendMessage(StompSubscription subscription, Delivery delivery) {
        StompPayloads.StompBody body = protocol.payloads.bodyOf(delivery);
        String ackId = ackIdOf(subscription.id(), delivery.id());
        StompHeaders.Builder headers = StompHeaders.builder()
                .add("destination", subscription.destination())
                .add("message-id", delivery.id())
                .add("subscription", subscription.id())
                .add("content-type", body.contentType());
        if (delivery.target() == Delivery.Target.TOPIC) {
            headers.add("offset", Long.toString(delivery.offset())).add("epoch", delivery.epoch());
        }
        boolean clientAck = subscription.ackMode() != StompSubscription.AckMode.AUTO;
        if (clientAck && version == StompVersion.V1_2) {
            headers.add("ack", delivery.id());
        }
        StompFrame message = new StompFrame(StompCommand.MESSAGE, headers.build(), body.bytes());
        Object wire = body.binary() ? StompEncoder.encode(message, version) : StompEncoder.encodeText(message, version);
        if (clientAck) {
            track(new PendingAcks.Pending(ackId, subscription.id(), wire, 1));
        }
        offer(wire);
        if (!clientAck && delivery.ackRequired()) {
            protocol.services.broker().acknowledge(this, delivery.id()); // ack:auto means delivered is acknowledged
        }
    }

    /** Queues an encoded frame: a {@code String} goes out as text, a {@code byte[]} as binary. */
    private void offer(Object wire) {
        if (wire instanceof String text) {
            outbound.offer(text);
        } else {
            outbound.offer((byte[]) wire);
        }
    }

    // ---- errors and the end ---------------------------------------------------------------------

    private void sendFrame(StompFrame frame) {
        outbound.offer(StompEncoder.encodeText(frame, version));
    }

    /** Sends ERROR (STOMP 1.2: then the server closes) and closes the connection with {@code code}. */
    private void fail(String message, String detail, String receiptId, CloseCode code) {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        StompHeaders headers = StompHeaders.builder()
                .add("message", message)
                .addIfPresent("receipt-id", receiptId)
                .add("content-type", StompPayloads.TEXT)
                .build();
        byte[] body = detail == null ? new byte[0] : detail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sendFrame(new StompFrame(StompCommand.ERROR, headers, body));
        outbound.close(code);
    }

    @Override
    public void disconnect(CloseCode reason) {
        if (reason == CloseCode.NORMAL || reason == CloseCode.SHUTDOWN) {
            state = State.ENDED;
            outbound.close(reason);
        } else {
            fail(reason.reason(), null, null, reason);
        }
    }

    /** The connection has closed (any reason): forget it everywhere. Idempotent. */
    public void ended() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        state = State.ENDED;
        liveness.stop();
        timers.forEach(timer -> timer.cancel(false));
        cancelTimeouts(pendingAcks.removeAll());
        outbound.connectionClosed();
        if (identity != null) {
            protocol.services.broker().close(this, Set.copyOf(subscriptionsByTopic.keySet()));
        }
    }

    private static String required(StompFrame frame, String header) throws ProtocolError {
        String value = frame.header(header);
        if (value == null || value.isEmpty()) {
            throw new ProtocolError("missing header", frame.command() + " needs a '" + header + "' header");
        }
        return value;
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String user() {
        ClientIdentity client = identity;
        return client == null ? null : client.user();
    }

    @Override
    public String channelId() {
        ClientIdentity client = identity;
        return client == null ? null : client.channelId();
    }

    @Override
    public String protocol() {
        return "stomp";
    }

    @Override
    public Instant openedAt() {
        return openedAt;
    }

    /** A client frame the protocol refuses: becomes an ERROR frame and a close. */
    private static final class ProtocolError extends Exception {
        private final String detail;
        private final CloseCode closeCode;

        ProtocolError(String message, String detail) {
            this(message, detail, CloseCode.POLICY_VIOLATION);
        }

        ProtocolError(String message, String detail, CloseCode closeCode) {
            super(message, null, false, false);
            this.detail = detail;
            this.closeCode = closeCode;
        }
    }
}
