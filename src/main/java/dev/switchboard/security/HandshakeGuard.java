package dev.switchboard.security;

import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelGate;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.LimitRefusals;
import dev.switchboard.broker.TopicNames;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Decides whether a WebSocket handshake may be upgraded (none while the node drains: 503). For the
 * native channel endpoint (CONTRACT.md section 2), in this
 * order: rate limit (429, cheapest first), origin (403), parameters (400), token (401), the
 * token's channels claim (403), the user's and the address's open sessions (429, a
 * {@link SessionLease} taken), and finally the channel rule (409), which reserves the channel for
 * the permitted client. Thread safe.
 */
public final class HandshakeGuard {

    private static final Logger LOG = System.getLogger(HandshakeGuard.class.getName());

    private final HandshakeRateLimiter rateLimiter;
    private final OriginPolicy originPolicy;
    private final TokenVerifier tokenVerifier;
    private final ChannelGate channels;
    private final ChannelPolicy channelPolicy;
    private final BooleanSupplier accepting;
    private final SessionAdmission admission;
    private final LimitRefusals refusals;

    /** {@code accepting} turns false when the node starts draining: new handshakes get 503. No session limits. */
    public HandshakeGuard(HandshakeRateLimiter rateLimiter, OriginPolicy originPolicy, TokenVerifier tokenVerifier,
            ChannelGate channels, ChannelPolicy channelPolicy, BooleanSupplier accepting) {
        this(rateLimiter, originPolicy, tokenVerifier, channels, channelPolicy, accepting, SessionAdmission.UNLIMITED,
                new LimitRefusals());
    }

    /** With the per-user and per-address session limits of {@code admission}; refusals counted in {@code refusals}. */
    public HandshakeGuard(HandshakeRateLimiter rateLimiter, OriginPolicy originPolicy, TokenVerifier tokenVerifier,
            ChannelGate channels, ChannelPolicy channelPolicy, BooleanSupplier accepting, SessionAdmission admission,
            LimitRefusals refusals) {
        this.admission = admission;
        this.refusals = refusals;
        this.rateLimiter = rateLimiter;
        this.originPolicy = originPolicy;
        this.tokenVerifier = tokenVerifier;
        this.channels = channels;
        this.channelPolicy = channelPolicy;
        this.accepting = accepting;
    }

    /** Checks an upgrade request and, if it passes, reserves its channel. */
    public HandshakeDecision check(HandshakeRequest request) {
        return verify(request, true);
    }

    /**
     * The same checks without reserving anything, for a request that is not an upgrade: under the
     * reject policy it reports 409 if the channel is open now.
     */
    public HandshakeDecision probe(HandshakeRequest request) {
        return verify(request, false);
    }

    /** Gives back the channel and session slots of a permitted client whose upgrade did not happen. */
    public void release(AuthorizedClient client) {
        client.lease().release();
        if (client.reservation() != null) {
            channels.cancelChannel(client.reservation());
        }
    }

    /**
     * A session-limit slot for a session whose user is not known at the handshake (STOMP, which
     * authenticates in CONNECT): counted per address only.
     */
    public SessionAdmission.Admission admitAnonymous(HandshakeRequest request) {
        return admission.admit(null, request.clientAddress());
    }

    /**
     * The checks every WebSocket handshake passes, whatever the endpoint: the address's handshake
     * rate (429) and the origin (403). The STOMP endpoint needs only these: its client
     * authenticates in CONNECT.
     */
    public Optional<HandshakeDecision.Refuse> screen(HandshakeRequest request) {
        if (!accepting.getAsBoolean()) {
            return Optional.of(new HandshakeDecision.Refuse(503, "unavailable", "the server is shutting down"));
        }
        if (!rateLimiter.tryAcquire(request.clientAddress())) {
            refusals.refused(LimitRefusals.Limit.HANDSHAKE_RATE);
            return Optional.of(new HandshakeDecision.Refuse(429, "rate_limited", "too many handshakes from this address"));
        }
        if (!originPolicy.allows(request.origin(), request.scheme(), request.host())) {
            return Optional.of(new HandshakeDecision.Refuse(403, "forbidden", "origin not allowed"));
        }
        return Optional.empty();
    }

    /**
     * Whether the request's origin is allowed, without counting against any rate: for the CORS
     * headers of SockJS answers, which echo only an allowed origin.
     */
    public boolean allowsOrigin(HandshakeRequest request) {
        return originPolicy.allows(request.origin(), request.scheme(), request.host());
    }

    /** The origins that may embed our pages in a frame ({@link OriginPolicy#frameAncestors()}), or null for any. */
    public String frameAncestors() {
        return originPolicy.frameAncestors();
    }

    private HandshakeDecision verify(HandshakeRequest request, boolean reserve) {
        Optional<HandshakeDecision.Refuse> screened = screen(request);
        if (screened.isPresent()) {
            return screened.get();
        }
        if (request.channelId() == null || request.channelId().isEmpty()) {
            return new HandshakeDecision.Refuse(400, "bad_request", "channelId is required");
        }
        if (!TopicNames.isValid(request.channelId())) {
            return new HandshakeDecision.Refuse(400, "bad_request", "channelId must match " + TopicNames.RULE);
        }
        if (request.token() == null || request.token().isEmpty()) {
            return new HandshakeDecision.Refuse(400, "bad_request", "token is required");
        }
        VerifiedToken token;
        try {
            token = tokenVerifier.verify(request.token());
        } catch (TokenRejectedException e) {
            LOG.log(Level.DEBUG, "Handshake refused for token {0}: {1}", TokenVerifier.fingerprint(request.token()),
                    e.getMessage());
            return new HandshakeDecision.Refuse(401, "unauthorized", e.getMessage());
        }
        if (!token.allowsChannel(request.channelId())) {
            return new HandshakeDecision.Refuse(403, "forbidden", "the token does not permit this channel");
        }
        ClientIdentity identity = token.identity(request.channelId());
        if (!reserve) {
            boolean taken = channelPolicy == ChannelPolicy.REJECT && channels.channelOpen(request.channelId());
            return taken ? conflict() : new HandshakeDecision.Permit(new AuthorizedClient(identity, null,
                    token.fingerprint()));
        }
        SessionAdmission.Admission admitted = admission.admit(token.subject(), request.clientAddress());
        if (admitted instanceof SessionAdmission.Admission.Refused refused) {
            return refused.refusal();
        }
        SessionLease lease = ((SessionAdmission.Admission.Admitted) admitted).lease();
        ChannelClaim claim;
        try {
            claim = channels.claimChannel(request.channelId(), token.subject(), channelPolicy);
        } catch (ClusterUnavailableException e) {
            lease.release();
            LOG.log(Level.WARNING, "Handshake for channel {0} refused with 503: {1}", request.channelId(),
                    e.getMessage());
            return new HandshakeDecision.Refuse(503, "unavailable", "the cluster is unavailable; try again shortly");
        }
        if (claim instanceof ChannelClaim.Granted granted) {
            return new HandshakeDecision.Permit(new AuthorizedClient(identity, granted.reservation(),
                    token.fingerprint(), lease));
        }
        lease.release();
        return conflict();
    }

    private static HandshakeDecision conflict() {
        return new HandshakeDecision.Refuse(409, "conflict", "channel already has an open session");
    }
}
