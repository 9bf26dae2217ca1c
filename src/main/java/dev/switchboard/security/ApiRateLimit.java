package dev.switchboard.security;

import dev.switchboard.broker.LimitRefusals;

/**
 * The HTTP API's request rate per key (docs/security.md "Limits"): an authenticated caller is
 * counted by who it is (the API key, or an admin token's subject, however many tokens it holds),
 * an unauthenticated one by its client address, so that guessing credentials is limited too.
 * Thread safe.
 */
public final class ApiRateLimit {

    private final HandshakeRateLimiter buckets;
    private final long retryAfterSeconds;
    private final LimitRefusals refusals;

    /** {@code buckets} refill at {@code ratePerSecond}; 0 turns the limit off. */
    public ApiRateLimit(HandshakeRateLimiter buckets, double ratePerSecond, LimitRefusals refusals) {
        this.buckets = buckets;
        // The time one request's worth of allowance takes to come back, at least a second.
        this.retryAfterSeconds = ratePerSecond <= 0 ? 1 : Math.max(1, (long) Math.ceil(1 / ratePerSecond));
        this.refusals = refusals;
    }

    /** Counts a request of an authenticated caller ({@code principal}: "api-key" or a subject). */
    public boolean allowCaller(String principal) {
        return allow("caller:" + principal);
    }

    /** Counts a request that did not authenticate, by its client address. */
    public boolean allowAddress(String address) {
        return allow("address:" + address);
    }

    /** What a refused request's {@code Retry-After} says, in seconds. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    private boolean allow(String key) {
        if (buckets.tryAcquire(key)) {
            return true;
        }
        refusals.refused(LimitRefusals.Limit.API_RATE);
        return false;
    }
}
