package dev.switchboard.transport;

import dev.switchboard.security.AuthorizedClient;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;

/**
 * The handshake configurator of the channel endpoint. Thin by design: the checks that can refuse
 * with an HTTP status run in {@link HandshakeFilter} before the upgrade (a Configurator cannot set
 * a status portably); this hands the filter's verdict, the request's principal, to the session.
 * Endpoints are created through CDI by the parent class.
 */
public final class ChannelEndpointConfigurator extends CdiEndpointConfigurator {

    /** User-property key under which the session finds its {@link AuthorizedClient}. */
    static final String AUTHORIZED_CLIENT = "switchboard.authorizedClient";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Principal principal = request.getUserPrincipal();
        if (principal instanceof AuthorizedClient client) {
            config.getUserProperties().put(AUTHORIZED_CLIENT, client);
        }
    }
}
