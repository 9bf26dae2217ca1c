package dev.switchboard.transport;

import dev.switchboard.security.AuthorizedClient;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;

/**
 * The handshake configurator of the channel endpoint. Thin by design: the checks that can refuse
 * with an HTTP status run in {@link HandshakeFilter} before the upgrade (a Configurator cannot set
 * a status portably); this hands the filter's verdict, the request's principal, to the session,
 * and creates endpoints through CDI so their dependencies are injected on every container.
 */
public final class ChannelEndpointConfigurator extends ServerEndpointConfig.Configurator {

    /** User-property key under which the session finds its {@link AuthorizedClient}. */
    static final String AUTHORIZED_CLIENT = "switchboard.authorizedClient";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Principal principal = request.getUserPrincipal();
        if (principal instanceof AuthorizedClient client) {
            config.getUserProperties().put(AUTHORIZED_CLIENT, client);
        }
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return CDI.current().select(endpointClass).get();
    }
}
