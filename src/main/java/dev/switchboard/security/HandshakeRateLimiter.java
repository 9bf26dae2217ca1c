package dev.switchboard.security;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address for handshakes (HTTP 429 when empty). {@code ratePerSecond}
 * tokens are added per second up to {@code burst}; a rate of 0 disables the limit. Buckets of
 * addresses that have been idle long enough to be full again are pruned as the map grows.
 * Thread safe.
 */
public final class HandshakeRateLimiter {

    private static final int PRUNE_THRESHOLD = 10_000;

    /** Tokens available and when they were last topped up. Guarded by itself. */
    private static final class Bucket {
        double tokens;
        long updatedNanos;
    }

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final double ratePerSecond;
    private final double burst;
    private final Clock clock;

    public HandshakeRateLimiter(double ratePerSecond, double burst, Clock clock) {
        this.ratePerSecond = ratePerSecond;
        this.burst = Math.max(1, burst);
        this.clock = clock;
    }

    /** Takes one token for {@code address}; false if it has none left. */
    public boolean tryAcquire(String address) {
        if (ratePerSecond <= 0) {
            return true;
        }
        long now = nowNanos();
        if (buckets.size() > PRUNE_THRESHOLD) {
            prune(now);
        }
        Bucket bucket = buckets.computeIfAbsent(address, a -> {
            Bucket fresh = new Bucket();
            fresh.tokens = burst;
            fresh.updatedNanos = now;
            return fresh;
        });
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    private void refill(Bucket bucket, long now) {
        double elapsedSeconds = Math.max(0, now - bucket.updatedNanos) / 1e9;
        bucket.tokens = Math.min(burst, bucket.tokens + elapsedSeconds * ratePerSecond);
        bucket.updatedNanos = now;
    }

    private void prune(long now) {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                refill(bucket, now);
                return bucket.tokens >= burst;
            }
        });
    }

    private long nowNanos() {
        java.time.Instant instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
