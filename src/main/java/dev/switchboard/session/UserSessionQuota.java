package dev.switchboard.session;

/**
 * Open sessions per user, for a protocol that learns the user after the handshake (STOMP, in
 * CONNECT): the handshake could only count the address (docs/security.md "Limits"). Thread safe.
 */
@FunctionalInterface
public interface UserSessionQuota {

    /** Counts nothing. */
    UserSessionQuota UNLIMITED = user -> () -> { };

    /**
     * Takes a slot for one more session of {@code user}: returns what gives it back (idempotent),
     * or null if the user holds its limit already.
     */
    Runnable tryAcquire(String user);
}
