package dev.switchboard.security;

import dev.switchboard.broker.LimitRefusals;

/**
 * The per-user and per-address session limits (docs/security.md "Limits"), counted on this node:
 * a handshake takes a {@link SessionLease} or is refused with 429. Thread safe.
 */
public final class SessionAdmission {

    /** Admits every session and counts nothing. */
    public static final SessionAdmission UNLIMITED = new SessionAdmission(0, 0, new LimitRefusals());

    private final SessionCounter users;
    private final SessionCounter addresses;
    private final LimitRefusals refusals;

    public SessionAdmission(int sessionsPerUser, int sessionsPerAddress, LimitRefusals refusals) {
        this.users = new SessionCounter(sessionsPerUser);
        this.addresses = new SessionCounter(sessionsPerAddress);
        this.refusals = refusals;
    }

    /** A lease for one more session, or the 429 that refuses it. */
    public sealed interface Admission {
        record Admitted(SessionLease lease) implements Admission {
        }

        record Refused(HandshakeDecision.Refuse refusal) implements Admission {
        }
    }

    /**
     * A lease for one more session of {@code user} (null: not known yet, as for STOMP before
     * CONNECT) from {@code address}, or a refusal if either already holds its limit.
     */
    public Admission admit(String user, String address) {
        boolean countUser = user != null && users.enabled();
        boolean countAddress = address != null && addresses.enabled();
        if (!countUser && !countAddress) {
            return new Admission.Admitted(SessionLease.NONE);
        }
        if (countAddress && !addresses.tryAcquire(address)) {
            refusals.refused(LimitRefusals.Limit.SESSIONS_PER_ADDRESS);
            return new Admission.Refused(new HandshakeDecision.Refuse(429, "rate_limited",
                    "too many open sessions from this address (at most " + addresses.limit() + ")"));
        }
        if (countUser && !users.tryAcquire(user)) {
            if (countAddress) {
                addresses.release(address);
            }
            refusals.refused(LimitRefusals.Limit.SESSIONS_PER_USER);
            return new Admission.Refused(new HandshakeDecision.Refuse(429, "rate_limited",
                    "too many open sessions for this user (at most " + users.limit() + ")"));
        }
        return new Admission.Admitted(
                new SessionLease(users, countUser ? user : null, addresses, countAddress ? address : null));
    }

    SessionCounter users() {
        return users;
    }

    SessionCounter addresses() {
        return addresses;
    }
}
