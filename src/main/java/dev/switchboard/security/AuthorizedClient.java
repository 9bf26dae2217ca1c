package dev.switchboard.security;

import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientIdentity;
import java.security.Principal;

/**
 * The principal of an accepted handshake: who the client is and, for channel sessions, the
 * channel reserved for it. Travels from the handshake check to the endpoint as the request's
 * user principal.
 */
public record AuthorizedClient(ClientIdentity identity, ChannelReservation reservation, String tokenFingerprint)
        implements Principal {

    @Override
    public String getName() {
        return identity.user();
    }
}
