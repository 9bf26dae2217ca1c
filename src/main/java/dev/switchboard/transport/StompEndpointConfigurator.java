package dev.switchboard.transport;

import dev.switchboard.security.TicketClient;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;

/**
 * The handshake configurator of the STOMP endpoints: hands the client that a {@code ?ticket=}
 * authenticated in {@link HandshakeFilter} (the request's principal) to the session, as
 * {@link ChannelEndpointConfigurator} does for channel sessions. Without a ticket there is none,
 * and CONNECT authenticates.
 */
public final class StompEndpointConfigurator extends CdiEndpointConfigurator {

    /** User-property key under which the session finds its {@link TicketClient}. */
    static final String TICKET_CLIENT = "switchboard.ticketClient";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Principal principal = request.getUserPrincipal();
        if (principal instanceof TicketClient client) {
            config.getUserProperties().put(TICKET_CLIENT, client);
        }
    }

    /** The ticket's client of a session's config, or null. */
    static TicketClient ticketClient(jakarta.websocket.EndpointConfig config) {
        return config.getUserProperties().get(TICKET_CLIENT) instanceof TicketClient client ? client : null;
    }
}
