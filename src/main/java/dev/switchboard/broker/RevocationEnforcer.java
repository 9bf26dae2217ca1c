package dev.switchboard.broker;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes this node's sessions whose token is revoked, with {@link CloseCode#REVOKED}: at once for
 * each revocation the list announces (made on any node), and by a periodic sweep over every
 * session. The sweep closes what an announcement cannot reach: a session whose handshake passed
 * the check just before the revocation arrived and that registered just after, and every session
 * of a revocation announced while this node was cut off from the cluster.
 *
 * <p>Each node runs one; it only disconnects (asynchronous, never blocks). Thread safe.
 */
public final class RevocationEnforcer {

    private static final Logger LOG = System.getLogger(RevocationEnforcer.class.getName());

    private final SessionRegistry sessions;
    private final RevocationList revocations;

    public RevocationEnforcer(SessionRegistry sessions, RevocationList revocations) {
        this.sessions = sessions;
        this.revocations = revocations;
    }

    /** Starts listening to the list and sweeping every {@code sweepEvery} on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler, Duration sweepEvery) {
        revocations.onRevoked(this::enforce);
        long millis = sweepEvery.toMillis();
        scheduler.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Closes the sessions {@code revocation} covers; returns how many. */
    int enforce(Revocation revocation) {
        Collection<Subscriber> candidates = revocation.kind() == Revocation.Kind.USER
                ? sessions.ofUser(revocation.value()) : sessions.all();
        int closed = 0;
        for (Subscriber session : candidates) {
            if (session.user() != null && revocation.covers(session.user(), session.tokenId())) {
                session.disconnect(CloseCode.REVOKED);
                closed++;
            }
        }
        if (closed > 0) {
            LOG.log(Level.INFO, "Revocation {0} ({1}) closed {2} session(s) on this node", revocation.id(),
                    revocation.kind().field(), closed);
        }
        return closed;
    }

    /** Closes every session whose user or token is revoked now; returns how many. */
    int sweep() {
        int closed = 0;
        try {
            if (revocations.active().isEmpty()) {
                return 0;
            }
            for (Subscriber session : sessions.all()) {
                if (session.user() != null && revocations.isRevoked(session.user(), session.tokenId())) {
                    session.disconnect(CloseCode.REVOKED);
                    closed++;
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep sweeping.
            LOG.log(Level.ERROR, "Revocation sweep failed", e);
        }
        return closed;
    }
}
