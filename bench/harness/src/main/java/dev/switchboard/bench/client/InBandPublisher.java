package dev.switchboard.bench.client;

/** The running in-band publisher's schedule; owned by the selector thread. */
final class InBandPublisher {

    final WsConnection connection;
    final PublishEncoder encoder;
    private final PublisherPlan plan;
    private final long startNanos;
    private final long deliveriesAtStart;
    private final int audience;
    long sent;

    InBandPublisher(WsConnection connection, PublisherPlan plan, PublishEncoder encoder, long startNanos,
                    long deliveriesAtStart, int audience) {
        this.connection = connection;
        this.plan = plan;
        this.encoder = encoder;
        this.startNanos = startNanos;
        this.deliveriesAtStart = deliveriesAtStart;
        this.audience = audience;
    }

    boolean openLoop() {
        return plan.openLoop();
    }

    /** Nanoseconds until the next publication is due; a saturating publisher is woken by deliveries instead. */
    long nanosUntilDue(long now) {
        if (!plan.openLoop()) {
            return 50_000_000L;
        }
        return intendedNanos(sent) - now;
    }

    /**
     * The intended send time of the next publication if it is due now, else {@link Long#MIN_VALUE}.
     * Saturating: due while fewer than {@code window} messages per subscriber are undelivered.
     */
    long nextIntendedNanos(long now, long deliveries) {
        if (plan.openLoop()) {
            long due = intendedNanos(sent);
            return due <= now ? due : Long.MIN_VALUE;
        }
        long undelivered = sent * audience - (deliveries - deliveriesAtStart);
        return undelivered < (long) plan.window() * audience ? now : Long.MIN_VALUE;
    }

    private long intendedNanos(long index) {
        return startNanos + (long) (index * 1e9 / plan.ratePerSecond());
    }
}
