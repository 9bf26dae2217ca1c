package dev.switchboard.config;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.Broker;
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
import java.util.concurrent.TimeUnit;

/**
 * Start and stop of the application, on CDI's own lifecycle events so that the beans are alive
 * at both ends whatever order a container stops its listeners in.
 *
 * <p>At start, builds the configuration and the security beans eagerly, so that a missing key or a
 * bad setting stops the deployment with one clear log line instead of failing the first client.
 * Before stop (undeploy, SIGTERM), runs the {@link ShutdownDrain} (unless the standalone launcher
 * already did): not ready, every session closed with 1001 after flushing what is queued, a bounded
 * wait for the sessions to be gone.
 */
@Dependent
public class SwitchboardLifecycle {

    private static final Logger LOG = System.getLogger(SwitchboardLifecycle.class.getName());
    private static final Duration REDELIVERY_SWEEP = Duration.ofMillis(200);
    /**
     * Idle topics are forgotten and expired history dropped this often: a pass locks every topic
     * once (about 10 ms per 100,000 topics), so a few seconds keeps it negligible while the topic
     * count still follows the idle time (default one minute) closely.
     */
    private static final Duration MEMORY_SWEEP = Duration.ofSeconds(5);
    /** Well inside the report's expiry in Redis (three heartbeat leases). */
    private static final Duration NODE_REPORT = Duration.ofSeconds(5);

    void started(@Observes @Initialized(ApplicationScoped.class) Object context, Instance<SwitchboardConfig> configs,
            Instance<Broker> brokers, Instance<HandshakeGuard> guards, Instance<ApiAuthenticator> authenticators,
            Instance<AccessPolicy> accessPolicies, SessionExecutors executors, Instance<ShutdownDrain> drains) {
        SwitchboardConfig config;
        Broker broker;
        try {
            // CDI builds beans lazily; building these now validates every setting and key.
            config = configs.get();
            broker = brokers.get();
            guards.get();
            authenticators.get();
            accessPolicies.get();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Switchboard cannot start: {0}", reason(e));
            throw e;
        }
        // Acknowledged-delivery messages are redelivered by this sweep; the broker's clock decides what is due.
        executors.scheduler().scheduleWithFixedDelay(broker::redeliverDue, REDELIVERY_SWEEP.toMillis(),
                REDELIVERY_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        executors.scheduler().scheduleWithFixedDelay(() -> sweep(broker), MEMORY_SWEEP.toMillis(),
                MEMORY_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        // Cluster mode: every node's stats show this node's figures, at most this old.
        executors.scheduler().scheduleWithFixedDelay(() -> upkeep(broker), 0, NODE_REPORT.toMillis(),
                TimeUnit.MILLISECONDS);
        String where = "";
        if (context instanceof ServletContext servlet) {
            where = " at context path '" + servlet.getContextPath() + "'";
            // For the standalone launcher, which must drain before Tomcat pauses its connector.
            servlet.setAttribute(ShutdownDrain.ATTRIBUTE, drains.get());
        }
        LOG.log(Level.INFO, "Switchboard started on node {0}{1}: {2}", broker.nodeId(), where, config);
    }

    /** A failed sweep must not cancel the ones after it (a periodic task that throws is never run again). */
    private static void sweep(Broker broker) {
        try {
            broker.sweep();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Memory sweep failed; the next one runs as planned", e);
        }
    }

    /**
     * Cluster upkeep: channels left claimed by an outage are released, this node's figures
     * published, the users and topics of nodes that died reported offline and vacated. As for the sweep, a failure (Redis out of reach) must not cancel the next runs.
     */
    private static void upkeep(Broker broker) {
        try {
            broker.retryReleases();
            broker.reportToCluster();
            broker.reapDepartedNodes();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Cluster upkeep failed; the next one runs as planned: {0}", e.toString());
        }
    }

    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException) {
                return t.getMessage();
            }
        }
        return failure.toString();
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object context, Instance<ShutdownDrain> drains) {
        if (context instanceof ServletContext servlet && servlet.getAttribute(ShutdownDrain.ATTRIBUTE) == null) {
            // Start-up failed before the application served anything: nothing to drain or report, and
            // building the drain (and the broker under it) now could only fail again.
            return;
        }
        drains.get().run(); // at once if an embedding launcher already drained (see ShutdownDrain)
    }
}
