package dev.switchboard.session;

import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompVersion;
import java.util.Optional;

/**
 * What the CONNECT (or STOMP) frame of one session settles: the protocol version, the heart-beat
 * intervals and who the client is (token from the frame or the handshake URL, channel claim).
 * {@link StompSession} calls the steps in that order and acts between them; {@link #admit} comes
 * last because its channel claim is a side effect that a later refusal would leave behind.
 * Threads: used only on the session's inbound thread; holds nothing but final fields.
 */
final class StompConnectNegotiator {

    /** An authenticated client and, if it named a channel, the channel it now holds. */
    record Admission(ClientIdentity identity, ChannelReservation reservation, String channelId) {
    }

    /**
     * Negotiated heart-beats in milliseconds, 0 for none: how often we send, and how often we
     * expect to hear from the client.
     */
    record HeartBeats(long sendEveryMs, long expectEveryMs) {

        /** The {@code heart-beat} header of CONNECTED: {@code sx,sy}. */
        String header() {
            return sendEveryMs + "," + expectEveryMs;
        }
    }

    private final StompProtocol protocol;
    private final String handshakeToken;
    /** Who the handshake's ticket authenticated, or null. */
    private final ClientAuthenticator handshakeClient;
    private final String handshakeChannelId;

    /**
     * {@code handshakeToken} and {@code handshakeChannelId} come from the WebSocket URL, or are null;
     * {@code handshakeClient} is the client a ticket in that URL authenticated, or null.
     */
    StompConnectNegotiator(StompProtocol protocol, String handshakeToken, ClientAuthenticator handshakeClient,
            String handshakeChannelId) {
        this.protocol = protocol;
        this.handshakeToken = handshakeToken;
        this.handshakeClient = handshakeClient;
        this.handshakeChannelId = handshakeChannelId;
    }

    /** The highest version in CONNECT's {@code accept-version} that we speak. */
    static StompVersion negotiateVersion(String acceptVersion) throws ProtocolError {
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

    /**
     * Authenticates the client of {@code connect} and claims the channel it names (the frame's
     * {@code channelId} header, else the handshake's). Refusals are protocol errors.
     */
    Admission admit(StompFrame connect) throws ProtocolError {
        String channelId = firstNonNull(connect.header("channelId"), handshakeChannelId);
        if (channelId != null && !TopicNames.isValid(channelId)) {
            throw new ProtocolError("bad channelId", "channelId must match " + TopicNames.RULE);
        }
        String token = token(connect);
        // A CONNECT that brings no token of its own is the ticket's client, if the handshake had one.
        ClientAuthenticator.Result auth = token == null && handshakeClient != null
                ? handshakeClient.authenticate(null, channelId)
                : protocol.tokens.authenticator().authenticate(token, channelId);
        if (auth instanceof ClientAuthenticator.Result.Refused refused) {
            throw new ProtocolError("authentication failed", refused.reason());
        }
        ClientIdentity client = ((ClientAuthenticator.Result.Authenticated) auth).identity();
        ChannelReservation reservation = null;
        if (channelId != null) {
            ChannelClaim claim = protocol.services.broker().claimChannel(channelId, client.user(),
                    protocol.settings.channelPolicy());
            if (!(claim instanceof ChannelClaim.Granted granted)) {
                throw new ProtocolError("channel already has an open session", "channel " + channelId + " is taken");
            }
            reservation = granted.reservation();
        }
        return new Admission(client, reservation, channelId);
    }

    /** A bearer {@code Authorization} header first, then {@code passcode}, then the handshake's token. */
    private String token(StompFrame connect) {
        return firstNonNull(bearerToken(connect), firstNonNull(connect.header("passcode"), handshakeToken));
    }

    /** The token of an {@code Authorization: Bearer <token>} header of {@code frame} (either case), or null. */
    static String bearerToken(StompFrame frame) {
        String authorization = frame.header("Authorization");
        if (authorization == null) {
            authorization = frame.header("authorization");
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    /**
     * CONNECT's {@code heart-beat: cx,cy} against our floor: we send every {@code max(cy, floor)}
     * if the client wants beats, and expect one every {@code max(cx, floor)} if it offers them.
     */
    HeartBeats negotiateHeartbeats(String header) throws ProtocolError {
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
        return new HeartBeats(clientWants > 0 ? Math.max(clientWants, floor) : 0,
                clientSends > 0 ? Math.max(clientSends, floor) : 0);
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }
}
