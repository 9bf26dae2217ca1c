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
 * native channel endpoint (docs/protocol.md, Handshake), in this
 * order: rate limit (429, cheapest first), origin (403), parameters (400), the token or the
 * token a {@code ?ticket=} stands for (401: invalid, expired, revoked; a used or unknown ticket), the
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
    /** Null: {@code ?ticket=} is refused. */
    private final Tickets tickets;

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
        this(rateLimiter, originPolicy, tokenVerifier, channels, channelPolicy, accepting, admission, refusals, null);
    }

    /** As above, also taking {@code ?ticket=} in place of {@code ?token=} ({@link Tickets}); null tickets: refused. */
    public HandshakeGuard(HandshakeRateLimiter rateLimiter, OriginPolicy originPolicy, TokenVerifier tokenVerifier,
            ChannelGate channels, ChannelPolicy channelPolicy, BooleanSupplier accepting, SessionAdmission admission,
            LimitRefusals refusals, Tickets tickets) {
        this.tickets = tickets;
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
        Credential credential = credential(request, reserve);
        if (credential instanceof Credential.Refused refused) {
            return refused.refusal();
        }
        VerifiedToken token = ((Credential.Accepted) credential).token();
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

    /**
     * The token of a STOMP handshake that brings a {@code ?ticket=} (a STOMP client otherwise
     * authenticates in CONNECT): the ticket is taken here, so that a used or expired one is a 401
     * at the handshake as on the channel endpoint. Empty if the request has no ticket.
     */
    public Optional<StompTicket> stompTicket(HandshakeRequest request) {
        if (request.ticket() == null) {
            return Optional.empty();
        }
        Credential credential = credential(request, true);
        return Optional.of(credential instanceof Credential.Accepted accepted
                ? new StompTicket.Admitted(new TicketClient(accepted.token(), tokenVerifier))
                : new StompTicket.Refused(((Credential.Refused) credential).refusal()));
    }

    /** A STOMP handshake's ticket: the client it authenticated, or the refusal. */
    public sealed interface StompTicket {
        record Admitted(TicketClient client) implements StompTicket {
        }

        record Refused(HandshakeDecision.Refuse refusal) implements StompTicket {
        }
    }

    /** The verified token of a handshake, or why there is none. */
    private sealed interface Credential {
        record Accepted(VerifiedToken token) implements Credential {
        }

        record Refused(HandshakeDecision.Refuse refusal) implements Credential {
        }
    }

    /**
     * The request's token, or the token its ticket stands for: taken ({@code use}: single use), or
     * only looked at for a request that asks whether the handshake would pass.
     */
    private Credential credential(HandshakeRequest request, boolean use) {
        boolean hasTicket = request.ticket() != null;
        boolean hasToken = request.token() != null && !request.token().isEmpty();
        if (hasTicket && hasToken) {
            return refused(400, "bad_request", "give token or ticket, not both");
        }
        if (!hasTicket && !hasToken) {
            return refused(400, "bad_request", "token is required");
        }
        if (hasTicket && tickets == null) {
            return refused(400, "bad_request", "tickets are not accepted here");
        }
        try {
            if (!hasTicket) {
                return new Credential.Accepted(tokenVerifier.verify(request.token()));
            }
            return new Credential.Accepted(use ? tickets.redeem(request.ticket()) : tickets.inspect(request.ticket()));
        } catch (TokenRejectedException e) {
            // Never the ticket either: it is as good as the token while it lives.
            LOG.log(Level.DEBUG, "Handshake refused for {0}: {1}", hasTicket ? "a ticket"
                    : "token " + TokenVerifier.fingerprint(request.token()), e.getMessage());
            return refused(401, "unauthorized", e.getMessage());
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Ticket refused with 503: {0}", e.getMessage());
            return refused(503, "unavailable", "the cluster is unavailable; try again shortly");
        }
    }

    private static Credential refused(int status, String error, String message) {
        return new Credential.Refused(new HandshakeDecision.Refuse(status, error, message));
    }

    private static HandshakeDecision conflict() {
        return new HandshakeDecision.Refuse(409, "conflict", "channel already has an open session");
    }
}
