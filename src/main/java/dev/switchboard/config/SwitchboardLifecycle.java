package dev.switchboard.config;

import dev.switchboard.api.Readiness;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.security.ApiAuthenticator;
import dev.switchboard.security.HandshakeGuard;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Start and stop of the application on any container. At start, builds the configuration and
 * the security beans eagerly so that a missing key or a bad setting stops the deployment with one
 * clear log line instead of failing the first client. At stop (undeploy, SIGTERM), marks the node
 * not ready, closes every session with 1001 and gives queued frames a bounded time to flush.
 */
@WebListener
public final class SwitchboardLifecycle implements ServletContextListener {

    private static final Logger LOG = System.getLogger(SwitchboardLifecycle.class.getName());
    private static final long DRAIN_TIMEOUT_MS = 5_000;

    @Inject
    private SwitchboardConfig config;
    @Inject
    private Broker broker;
    @Inject
    private HandshakeGuard handshakeGuard;
    @Inject
    private ApiAuthenticator apiAuthenticator;
    @Inject
    private Readiness readiness;
    @Inject
    private SessionExecutors executors;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            // Touch the beans: CDI creates them lazily, and their construction validates the settings.
            handshakeGuard.toString();
            apiAuthenticator.toString();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Switchboard cannot start: {0}", rootMessage(e));
            throw e;
        }
        LOG.log(Level.INFO, "Switchboard started on node {0} at context path ''{1}'': {2}", broker.nodeId(),
                event.getServletContext().getContextPath(), config);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        readiness.startDraining();
        int sessions = broker.sessionCount();
        broker.disconnectAll(CloseCode.SHUTDOWN);
        try {
            executors.shutdown(DRAIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "Switchboard stopped: closed {0} sessions with 1001", sessions);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException) {
                return t.getMessage();
            }
        }
        return root.toString();
    }
}
