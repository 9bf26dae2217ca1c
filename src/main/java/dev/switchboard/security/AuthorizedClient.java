package dev.switchboard.security;

import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientIdentity;
import java.security.Principal;

/**
 * The principal of an accepted handshake: who the client is and, for channel sessions, the
 * channel reserved for it, and the session-limit slots it holds ({@link SessionLease}, released
 * when the session ends). Travels from the handshake check to the endpoint as the request's
 * user principal.
 */
public record AuthorizedClient(ClientIdentity identity, ChannelReservation reservation, String tokenFingerprint,
        SessionLease lease) implements Principal {

    /** Holding no session-limit slots. */
    public AuthorizedClient(ClientIdentity identity, ChannelReservation reservation, String tokenFingerprint) {
        this(identity, reservation, tokenFingerprint, SessionLease.NONE);
    }

    @Override
    public String getName() {
        return identity.user();
    }
}
