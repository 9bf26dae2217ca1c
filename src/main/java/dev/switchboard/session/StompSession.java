package dev.switchboard.session;

import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.LimitRefusals;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompDecoder;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * One STOMP connection (docs/stomp.md): the state machine behind {@code /ws/stomp}.
 * CONNECT authenticates (and claims a channel if one is named); then SUBSCRIBE, SEND, ACK/NACK,
 * transactions and receipts, with heart-beats both ways. Every protocol error is answered with an
 * ERROR frame and the connection is closed after it (STOMP 1.2, "ERROR").
 *
 * <p>This class keeps the connection's state, dispatches frames and sends RECEIPT, ERROR and
 * CONNECTED; the work of each concern lives in a helper: {@link StompConnectNegotiator} (CONNECT),
 * {@link StompSubscriptions} (SUBSCRIBE, UNSUBSCRIBE, MESSAGE delivery), {@link StompSendRouter}
 * (SEND), {@link StompAcknowledgements} (ACK, NACK, redelivery), {@link StompTransactions} and
 * {@link StompTimers} (heart-beats), {@link TokenTimers} (the expiring notice and token expiry) and
 * {@link TokenRefresh} (a SEND to {@code /sys/refresh} replaces the session's token).
 *
 * <p>Threads: inbound WebSocket messages arrive one at a time on the container's thread for this
 * connection; the inbound-only state (the decoder, the transactions, {@code receiptHeaders}) is
 * confined to it. Deliveries, timers and disconnects come from other threads and touch only
 * thread-safe state (volatile fields, and the helpers' documented guards). {@link #ended()} may
 * come from another thread too, even while a frame is being handled: a container that closes the
 * connection on our request (Tomcat) tells the endpoint on the thread that asked, here the
 * outbound queue's.
 *
 * <p>The connection's phase is a {@link SessionState}, changed only by its atomic transitions,
 * because four kinds of thread move it: the inbound thread (CONNECT, DISCONNECT, protocol errors),
 * the timers (heart-beats, token expiry), the broker (a newer session replaced this one on its
 * channel: {@link #disconnect} with 4009) and the thread that saw the connection close. What that
 * guarantees: at most one ERROR frame per connection; a session that was closed or replaced while
 * its CONNECT was being handled never becomes connected, sends no CONNECTED and does not stay
 * registered with the broker.
 */
public final class StompSession implements Subscriber {

    /**
     * Header bytes of a MESSAGE frame besides its destination: command, message-id, subscription,
     * content-type, offset, epoch and the blank line (about 180 with a UUID id and a long epoch).
     */
    private static final int MESSAGE_HEADERS_ESTIMATE = 256;

    private static final Logger LOG = System.getLogger(StompSession.class.getName());
    /** SEND here with a new token in the {@code token} (or {@code Authorization: Bearer}) header to refresh the session's. */
    static final String REFRESH_DESTINATION = "/sys/refresh";

    private final String sessionId;
    private final StompProtocol protocol;
    private final OutboundQueue outbound;
    private final Instant openedAt;
    private final StompDecoder decoder;
    /**
     * OPENING until CONNECT succeeds, then OPEN (connected); CLOSING once an ERROR, a DISCONNECT or
     * a server-side close was decided, by whichever thread won; ENDED when the connection is gone.
     */
    private final SessionState state = new SessionState();

    /**
     * Written by CONNECT on the inbound thread before the session is registered with the broker
     * (so delivery threads, timers and {@link #ended()} read them only after); volatile because a
     * close on another thread may read them while CONNECT runs. A refresh replaces the identity
     * (inbound thread) with the new token's.
     */
    private volatile StompVersion version = StompVersion.V1_2;
    private volatile ClientIdentity identity;

    private final StompConnectNegotiator negotiator;
    private final StompSubscriptionTable subscriptionTable = new StompSubscriptionTable();
    private final StompAcknowledgements acks;
    private final StompSubscriptions subscriptions;
    private final StompSendRouter sends;
    private final StompTransactions transactions = new StompTransactions();
    private final StompTimers timers;
    private final TokenTimers tokenTimers;
    private final PeerLiveness liveness;
    /** Confined to the inbound thread, like the bytes it counts. */
    private final InboundRate inboundRate;
    /** Gives back the per-user session slot CONNECT took; written by CONNECT, run by {@link #ended()}. */
    private volatile Runnable userSessionSlot;
    /** Extra headers for the RECEIPT of the frame being handled. Confined to the inbound thread. */
    private StompHeaders receiptHeaders;

    StompSession(String sessionId, FrameSink sink, String handshakeToken, ClientAuthenticator handshakeClient,
            String handshakeChannelId, StompProtocol protocol) {
        this.sessionId = sessionId;
        this.protocol = protocol;
        this.openedAt = protocol.services.clock().instant();
        this.decoder = new StompDecoder(protocol.settings.codecLimits());
        this.outbound = protocol.services.outboundQueue(sink, new QueueEventLog(this, protocol.services.broker().stats()));
        this.timers = new StompTimers(sessionId, protocol.services, outbound,
                (message, detail) -> fail(message, detail, null, CloseCode.POLICY_VIOLATION));
        this.negotiator = new StompConnectNegotiator(protocol, handshakeToken, handshakeClient, handshakeChannelId);
        this.acks = new StompAcknowledgements(this, protocol, outbound, subscriptionTable);
        this.subscriptions = new StompSubscriptions(this, protocol, outbound, subscriptionTable, acks);
        this.sends = new StompSendRouter(sessionId, protocol);
        this.tokenTimers = new TokenTimers(protocol.services, protocol.tokens.expiringNotice(),
                exp -> subscriptions.sendTokenExpiring(exp, version), () -> {
                    LOG.log(Level.INFO, "Token of user {0} expired; closing STOMP session {1}", user(), sessionId);
                    fail(CloseCode.TOKEN_EXPIRED.reason(), "the session's token expired", null, CloseCode.TOKEN_EXPIRED);
                });
        // WebSocket pings find half-open connections whatever STOMP heart-beats were negotiated.
        this.liveness = new PeerLiveness(protocol.services.clock(), protocol.services.limits().heartbeatMs());
        this.inboundRate = new InboundRate(protocol.services.limits().inbound(), protocol.services.clock());
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
        if (state.isClosed()) {
            return;
        }
        timers.heard();
        liveness.heard();
        if (!inboundRate.take(bytes.remaining(), false)) {
            rateLimited();
            return;
        }
        StompDecoder.Result result = decoder.decode(bytes);
        for (StompFrame frame : result.frames()) {
            if (state.isClosed()) {
                return;
            }
            if (!inboundRate.take(0, true)) {
                rateLimited();
                return;
            }
            try {
                handle(frame);
            } catch (ProtocolError error) {
                fail(error.getMessage(), error.detail(), frame.header("receipt"), error.closeCode());
                return;
            } catch (ClusterUnavailableException e) {
                // STOMP has no error that keeps the connection: the client reconnects and resumes.
                fail("cluster unavailable", "the cluster is unavailable; reconnect shortly", frame.header("receipt"),
                        CloseCode.TRY_AGAIN_LATER);
                return;
            }
        }
        if (result.error() != null) {
            fail("malformed frame", result.error(), null, CloseCode.POLICY_VIOLATION);
        }
    }

    /** Past the inbound allowance (docs/security.md "Limits"): ERROR, then close with 4029. */
    private void rateLimited() {
        protocol.services.broker().stats().limitRefusals().refused(LimitRefusals.Limit.INBOUND_RATE);
        fail("rate limited", "more frames or bytes than the session's inbound rate allows", null,
                CloseCode.RATE_LIMITED);
    }

    private void handle(StompFrame frame) throws ProtocolError {
        StompCommand command = frame.command();
        // Read once: another thread may close the session between two reads.
        SessionState.Phase phase = state.phase();
        if (phase == SessionState.Phase.OPENING) {
            if (command != StompCommand.CONNECT && command != StompCommand.STOMP) {
                throw new ProtocolError("CONNECT expected", command + " received before CONNECT");
            }
            connect(frame);
            return;
        }
        if (phase != SessionState.Phase.OPEN) {
            return; // closed by another thread since onMessage looked: the rest is not answered
        }
        if (!transactions.holdIfInTransaction(frame)) {
            execute(frame);
        }
        if (command == StompCommand.SUBSCRIBE || command == StompCommand.COMMIT) {
            forgetIfEndedMeanwhile();
        }
        String receipt = frame.header("receipt");
        StompHeaders extra = receiptHeaders;
        receiptHeaders = null;
        if (receipt != null && state.isOpen()) {
            StompHeaders.Builder headers = StompHeaders.builder().add("receipt-id", receipt);
            if (extra != null) {
                extra.entries().forEach(header -> headers.add(header.getKey(), header.getValue()));
            }
            sendFrame(StompFrame.of(StompCommand.RECEIPT, headers.build()));
        }
    }

    private void execute(StompFrame frame) throws ProtocolError {
        switch (frame.command()) {
            case SEND -> {
                if (REFRESH_DESTINATION.equals(frame.header("destination"))) {
                    receiptHeaders = refresh(frame);
                } else {
                    sends.send(frame, identity);
                }
            }
            case SUBSCRIBE -> receiptHeaders = subscriptions.subscribe(frame, version, identity);
            case UNSUBSCRIBE -> subscriptions.unsubscribe(frame, version);
            case ACK -> acks.acknowledge(frame, version, false);
            case NACK -> acks.acknowledge(frame, version, true);
            case BEGIN -> transactions.begin(ProtocolError.requireHeader(frame, "transaction"));
            case COMMIT -> {
                for (StompFrame held : transactions.commit(ProtocolError.requireHeader(frame, "transaction"))) {
                    execute(held);
                }
            }
            case ABORT -> transactions.abort(ProtocolError.requireHeader(frame, "transaction"));
            case DISCONNECT -> disconnectOnRequest(frame);
            case CONNECT, STOMP -> throw new ProtocolError("already connected", "a second CONNECT on one connection");
            default -> throw new ProtocolError("unexpected frame", frame.command() + " is a server frame");
        }
    }

    /**
     * A subscription was added to the broker while {@link #ended()} ran on another thread, after it
     * took its snapshot of the topics: take it back, or the broker would keep the dead session
     * subscribed for ever. Either this sees ENDED or {@link #ended()}'s snapshot saw the topic
     * (both read after they wrote); unsubscribing twice is harmless.
     */
    private void forgetIfEndedMeanwhile() {
        if (state.phase() == SessionState.Phase.ENDED) {
            protocol.services.broker().close(this, subscriptionTable.topics());
        }
    }

    private void connect(StompFrame frame) throws ProtocolError {
        StompVersion negotiated = StompConnectNegotiator.negotiateVersion(frame.header("accept-version"));
        // From here on, even an ERROR for this CONNECT is encoded in the negotiated version.
        version = negotiated;
        decoder.version(negotiated);
        // Parsed before the channel is claimed: a bad header must not leave a reservation behind.
        StompConnectNegotiator.HeartBeats heartBeats = negotiator.negotiateHeartbeats(frame.header("heart-beat"));
        StompConnectNegotiator.Admission admission = negotiator.admit(frame);
        ClientIdentity client = admission.identity();
        takeUserSessionSlot(admission);
        identity = client;
        if (!protocol.services.broker().open(this, admission.reservation())) {
            throw new ProtocolError("replaced by a newer session",
                    "channel " + admission.channelId() + " was taken meanwhile", CloseCode.REPLACED);
        }
        if (!state.open()) {
            // Closed on another thread since CONNECT began: a newer session took the channel right
            // after open() bound it (4009), a timer or a failed send closed it, or the connection
            // is gone. Whoever closed it sent the ERROR; what is left here is to take back the
            // registration just made, which ended() may have looked for too early.
            LOG.log(Level.DEBUG, "STOMP session {0} (user {1}) was closed while its CONNECT was handled",
                    sessionId, client.user());
            protocol.services.broker().close(this, List.of());
            return;
        }
        sendFrame(StompFrame.of(StompCommand.CONNECTED, StompHeaders.builder()
                .add("version", negotiated.wire())
                .add("heart-beat", heartBeats.header())
                .add("server", protocol.settings.serverName())
                .add("session", sessionId)
                .add("user-name", client.user())
                .build()));
        timers.startHeartbeats(heartBeats.sendEveryMs(), heartBeats.expectEveryMs(), client.user());
        tokenTimers.follow(client);
    }

    /**
     * SEND to {@link #REFRESH_DESTINATION}: replaces the session's token (docs/stomp.md, Connecting),
     * with the checks of {@link TokenRefresh}. Returns the RECEIPT's extra header {@code exp}; a
     * refused token is an ERROR and a close with 1008, since STOMP has no error that keeps the
     * connection.
     */
    private StompHeaders refresh(StompFrame frame) throws ProtocolError {
        String token = frame.header("token");
        if (token == null) {
            token = StompConnectNegotiator.bearerToken(frame);
        }
        TokenRefresh.Outcome outcome = TokenRefresh.check(protocol.tokens, identity, token);
        if (outcome instanceof TokenRefresh.Outcome.Refused refused) {
            LOG.log(Level.INFO, "STOMP session {0} of user {1}: token refresh refused ({2})", sessionId, user(),
                    refused.reason());
            throw new ProtocolError("forbidden", "token refresh refused: " + refused.reason());
        }
        ClientIdentity renewed = ((TokenRefresh.Outcome.Accepted) outcome).identity();
        // Fewer rights than the old token (roles, claims) must not leave a subscription in place;
        // STOMP cannot end one with a non-fatal error, so such a refresh is refused as a whole.
        String lost = subscriptions.firstDestinationNotAllowed(renewed);
        if (lost != null) {
            LOG.log(Level.INFO, "STOMP session {0} of user {1}: token refresh refused (it no longer allows {2})",
                    sessionId, user(), lost);
            throw new ProtocolError("forbidden", "token refresh refused: the new token does not allow the "
                    + "subscription to " + lost);
        }
        identity = renewed;
        tokenTimers.follow(renewed);
        LOG.log(Level.DEBUG, "STOMP session {0} of user {1} refreshed its token; it now expires at {2}", sessionId,
                renewed.user(), renewed.tokenExpiresAt());
        return StompHeaders.builder().add("exp", Long.toString(renewed.tokenExpiresAt().getEpochSecond())).build();
    }

    /**
     * The per-user session limit, known only now that CONNECT named the user. Refused: the channel
     * this CONNECT may have claimed is given back, and ERROR and close follow.
     */
    private void takeUserSessionSlot(StompConnectNegotiator.Admission admission) throws ProtocolError {
        Runnable release = protocol.userSessions.tryAcquire(admission.identity().user());
        if (release == null) {
            if (admission.reservation() != null) {
                protocol.services.broker().cancelChannel(admission.reservation());
            }
            protocol.services.broker().stats().limitRefusals().refused(LimitRefusals.Limit.SESSIONS_PER_USER);
            throw new ProtocolError("too many sessions", "this user holds as many open sessions as allowed");
        }
        userSessionSlot = release;
        // Written first, then the phase read; ended() does the reverse: one of the two gives it back.
        if (state.phase() == SessionState.Phase.ENDED) {
            release.run();
        }
    }

    private void disconnectOnRequest(StompFrame frame) {
        if (!state.beginClosing()) {
            return; // a timer or the broker closed the session first: its close stands
        }
        String receipt = frame.header("receipt");
        if (receipt != null) {
            StompFrame last = StompFrame.of(StompCommand.RECEIPT, StompHeaders.builder().add("receipt-id", receipt).build());
            outbound.closeAfter(StompEncoder.encodeText(last, version), CloseCode.NORMAL);
        } else {
            outbound.close(CloseCode.NORMAL);
        }
    }

    @Override
    public void deliver(Delivery delivery) {
        if (!state.isOpen()) {
            return;
        }
        subscriptions.deliver(delivery, version);
    }

    private void sendFrame(StompFrame frame) {
        outbound.offer(StompEncoder.encodeText(frame, version));
    }

    /**
     * Sends ERROR (STOMP 1.2: then the server closes) and closes the connection with {@code code}.
     * Any thread; only the first close of the session counts, so at most one ERROR is ever queued.
     */
    private void fail(String message, String detail, String receiptId, CloseCode code) {
        if (!state.beginClosing()) {
            return;
        }
        StompHeaders headers = StompHeaders.builder()
                .add("message", message)
                .addIfPresent("receipt-id", receiptId)
                .add("content-type", StompPayloads.TEXT)
                .build();
        byte[] body = detail == null ? new byte[0] : detail.getBytes(StandardCharsets.UTF_8);
        // The ERROR is the last frame even if a CONNECTED, RECEIPT or MESSAGE is being offered right now.
        outbound.closeAfter(StompEncoder.encodeText(new StompFrame(StompCommand.ERROR, headers, body), version), code);
    }

    /** Any thread (broker, timers). NORMAL and SHUTDOWN close without an ERROR frame, the rest with one. */
    @Override
    public void disconnect(CloseCode reason) {
        if (reason == CloseCode.NORMAL || reason == CloseCode.SHUTDOWN) {
            if (state.beginClosing()) {
                outbound.close(reason);
            }
        } else {
            fail(reason.reason(), null, null, reason);
        }
    }

    /** The connection has closed (any reason): forget it everywhere. Idempotent. */
    public void ended() {
        if (!state.end()) {
            return;
        }
        liveness.stop();
        timers.stop();
        tokenTimers.stop();
        acks.forgetAll();
        Runnable slot = userSessionSlot;
        if (slot != null) {
            slot.run();
        }
        outbound.connectionClosed();
        // Null while CONNECT has not authenticated yet; if CONNECT is half-way on the inbound thread,
        // it sees ENDED when it tries to open and takes back its registration itself.
        if (identity != null) {
            protocol.services.broker().close(this, subscriptionTable.topics());
        }
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
    public String tokenId() {
        ClientIdentity client = identity;
        return client == null ? null : client.tokenId();
    }

    @Override
    public String channelId() {
        ClientIdentity client = identity;
        return client == null ? null : client.channelId();
    }

    @Override
    public CloseCode closeCode() {
        CloseCode code = outbound.closeCode();
        return code == null ? CloseCode.NORMAL : code;
    }

    @Override
    public String protocol() {
        return "stomp";
    }

    @Override
    public Instant openedAt() {
        return openedAt;
    }

    /**
     * Estimated from the payloads: a MESSAGE frame is its body plus its headers, which the
     * estimate puts at {@value #MESSAGE_HEADERS_ESTIMATE} bytes besides the destination (a binary
     * body counts as its base64 text, a little more than it takes).
     */
    @Override
    public boolean canTakeReplay(List<Delivery> missed) {
        long bytes = 0;
        for (Delivery delivery : missed) {
            bytes += TextFrame.utf8Length(delivery.dataJson()) + MESSAGE_HEADERS_ESTIMATE + delivery.address().length();
        }
        return outbound.hasRoomForReplay(bytes, missed.size());
    }
}
