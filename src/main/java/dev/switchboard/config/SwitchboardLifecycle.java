package dev.switchboard.config;

import dev.switchboard.api.Readiness;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.security.ApiAuthenticator;
import dev.switchboard.security.HandshakeGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.servlet.ServletContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Start and stop of the application, on CDI's own lifecycle events so that the beans are alive
 * at both ends whatever order a container stops its listeners in.
 *
 * <p>At start, builds the configuration and the security beans eagerly, so that a missing key or a
 * bad setting stops the deployment with one clear log line instead of failing the first client.
 * Before stop (undeploy, SIGTERM), marks the node not ready, closes every session with 1001 after
 * flushing what is queued, and waits a bounded time for the sessions to be gone.
 */
@Dependent
public class SwitchboardLifecycle {

    private static final Logger LOG = System.getLogger(SwitchboardLifecycle.class.getName());
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REDELIVERY_SWEEP = Duration.ofMillis(200);

    void started(@Observes @Initialized(ApplicationScoped.class) Object context, Instance<SwitchboardConfig> configs,
            Instance<Broker> brokers, Instance<HandshakeGuard> guards, Instance<ApiAuthenticator> authenticators,
            SessionExecutors executors) {
        SwitchboardConfig config;
        Broker broker;
        try {
            // CDI builds beans lazily; building these now validates every setting and key.
            config = configs.get();
            broker = brokers.get();
            guards.get();
            authenticators.get();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Switchboard cannot start: {0}", reason(e));
            throw e;
        }
        // Acknowledged-delivery messages are redelivered by this sweep; the broker's clock decides what is due.
        executors.scheduler().scheduleWithFixedDelay(broker::redeliverDue, REDELIVERY_SWEEP.toMillis(),
                REDELIVERY_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        String where = context instanceof ServletContext servlet ? " at context path '" + servlet.getContextPath() + "'" : "";
        LOG.log(Level.INFO, "Switchboard started on node {0}{1}: {2}", broker.nodeId(), where, config);
    }

    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException) {
                return t.getMessage();
            }
        }
        return failure.toString();
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object context, Broker broker,
            Readiness readiness) {
        readiness.startDraining();
        int sessions = broker.sessionCount();
        broker.disconnectAll(CloseCode.SHUTDOWN);
        Instant deadline = Instant.now().plus(DRAIN_TIMEOUT);
        while (broker.sessionCount() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(10); // waiting on peers' close handshakes, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(Level.INFO, "Switchboard stopped: closed {0} sessions with 1001 ({1} still open after {2} s)",
                String.valueOf(sessions), String.valueOf(broker.sessionCount()), String.valueOf(DRAIN_TIMEOUT.toSeconds()));
    }
}
