package dev.switchboard.security;

import java.security.Principal;

/**
 * The principal of a STOMP handshake (whose user authenticates later, in CONNECT): it carries the
 * per-address session slot taken at the handshake, for the endpoint to give back when the
 * connection ends, and the client a {@code ?ticket=} authenticated (null without a ticket), for
 * CONNECT. Travels as the upgrade request's user principal, as {@link AuthorizedClient} does for
 * channel sessions.
 */
public record AdmittedConnection(SessionLease lease, TicketClient ticketClient) implements Principal {

    /** A connection without a ticket. */
    public AdmittedConnection(SessionLease lease) {
        this(lease, null);
    }

    @Override
    public String getName() {
        return "anonymous"; // not authenticated yet: CONNECT names the user
    }
}
