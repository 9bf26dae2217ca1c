package dev.switchboard.transport;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Creates endpoint instances through CDI, so their constructor dependencies are injected on every
 * container (on Tomcat with Weld a plain {@code @Inject} in a {@code @ServerEndpoint} stays null).
 */
public class CdiEndpointConfigurator extends ServerEndpointConfig.Configurator {

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return CDI.current().select(endpointClass).get();
    }
}
