package dev.switchboard.transport;

import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Creates endpoint instances through CDI, so their constructor dependencies are injected on every
 * container (on Tomcat with Weld a plain {@code @Inject} in a {@code @ServerEndpoint} stays null).
 *
 * <p>The bean manager is looked up once: Weld's {@code CDI.current()} captures the caller's stack
 * trace to find its bean archive, which showed in handshake profiles when done per connection. A
 * configurator lives as long as its deployment, and so does the bean manager.
 */
public class CdiEndpointConfigurator extends ServerEndpointConfig.Configurator {

    private volatile BeanManager beans;

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        BeanManager current = beans;
        if (current == null) {
            current = CDI.current().getBeanManager();
            beans = current; // a racing second lookup finds the same manager
        }
        return current.createInstance().select(endpointClass).get();
    }
}
