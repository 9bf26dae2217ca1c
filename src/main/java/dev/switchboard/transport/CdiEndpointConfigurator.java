package dev.switchboard.transport;

import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Creates endpoint instances through CDI, so their constructor dependencies are injected on every
 * container (on Tomcat with Weld a plain {@code @Inject} in a {@code @ServerEndpoint} stays null).
 *
 * <p>The bean manager is looked up once: Weld's {@code CDI.current()} captures the caller's stack
 * trace to find its bean archive, which showed in handshake profiles when done per connection. A
 * configurator lives as long as its deployment, and so does the bean manager.
 *
 * <p>No WebSocket extension is negotiated, permessage-deflate included (Tomcat accepts it by
 * default, and every browser offers it). Compression breaks the slow-consumer bound: the queue
 * counts what it hands the container, and a reader that stopped reading was never cut off while
 * highly compressible messages (repetitive JSON compresses 100 to 1,000 times) still fitted into
 * its socket's few hundred KB of kernel buffers: 60 MB of messages sat there, compressed, and were
 * delivered late instead of the session closing with 4008. It would also cost a deflater per
 * session (about 80 KB of native memory each, measured idle on Tomcat; zlib's full state is
 * larger once used) and a compression per recipient, undoing encode-once.
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

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return List.of();
    }
}
