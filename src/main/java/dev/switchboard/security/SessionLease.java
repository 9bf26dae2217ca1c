package dev.switchboard.security;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The slots one session holds in the per-user and per-address {@link SessionCounter}s, given back
 * once by {@link #release()}: when the session ends, or when its upgrade did not happen. Releasing
 * twice is harmless, so every path that may end a session can call it. Thread safe.
 */
public final class SessionLease {

    /** A lease that holds nothing (limits off, or a request that opens no session). */
    public static final SessionLease NONE = new SessionLease(null, null, null, null);

    private final SessionCounter users;
    private final String user;
    private final SessionCounter addresses;
    private final String address;
    private final AtomicBoolean released = new AtomicBoolean();

    SessionLease(SessionCounter users, String user, SessionCounter addresses, String address) {
        this.users = users;
        this.user = user;
        this.addresses = addresses;
        this.address = address;
    }

    /** Gives the slots back; only the first call counts. */
    public void release() {
        if (this == NONE || !released.compareAndSet(false, true)) {
            return;
        }
        if (user != null) {
            users.release(user);
        }
        if (address != null) {
            addresses.release(address);
        }
    }
}
