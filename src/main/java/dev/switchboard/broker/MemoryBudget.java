package dev.switchboard.broker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What topic history and acknowledged-delivery inboxes may hold in this process's heap, together
 * (SWITCHBOARD_MEMORY_BUDGET_PERCENT of {@link Runtime#maxMemory()}), and what they hold now.
 *
 * <p>Sizes are estimates made by {@link #sizeOf(Delivery)}: the payload (JSON text counted one byte
 * per character, as a Latin-1 compact string holds it, plus the bytes of a binary body) and a
 * fixed {@link #ENTRY_OVERHEAD} for the objects around it. History keeps encoding-free copies of
 * its deliveries (see {@link Delivery#withoutEncodings()}), so a cached wire frame never hides in
 * the history uncounted.
 *
 * <p>When {@link #exceeded()}, the broker frees memory down to {@link #lowWater()}: the oldest
 * history first, then the inboxes' dead letters, then their oldest pending messages (see
 * {@link Broker}). The gap between the limit and the low-water mark is what keeps that from
 * running on every publish. The limit may be passed momentarily by what other threads store while
 * one frees memory (at most one message per concurrent publisher or pusher): nobody waits for it.
 *
 * <p>Thread safety: every method may be called from any thread; the counters are atomics updated
 * once per stored or dropped entry (never under a global lock). {@link #tryStartReclaim()} lets
 * one thread at a time free memory.
 */
public final class MemoryBudget {

    /**
     * Heap taken by one stored message besides its payload, measured (MemoryBudgetTest and
     * docs/benchmarks): the Delivery (~64 B), its id (~56 B), its Instant (24 B), the payload
     * String's header and array header (~40 B), its slot in a deque or a linked map entry with an
     * InboxEntry around it (~40-90 B). Rounded up.
     */
    static final long ENTRY_OVERHEAD = 240;

    /** The share freed below the limit once it is exceeded (hysteresis). */
    private static final double LOW_WATER = 0.9;

    private final long limit;
    private final AtomicLong historyBytes = new AtomicLong();
    private final AtomicLong historyEntries = new AtomicLong();
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicLong inboxEntries = new AtomicLong();
    private final AtomicBoolean reclaiming = new AtomicBoolean();

    /** A budget of {@code limitBytes} (at least 1). */
    public MemoryBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("memory budget must be positive: " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** {@code percent} (1-90) of the heap this JVM may grow to. */
    public static MemoryBudget ofHeapPercent(int percent) {
        if (percent < 1 || percent > 90) {
            throw new IllegalArgumentException("memory budget percent must be 1-90: " + percent);
        }
        return new MemoryBudget(Runtime.getRuntime().maxMemory() / 100 * percent);
    }

    /** The estimated heap a stored delivery holds (see the class comment). */
    static long sizeOf(Delivery delivery) {
        long size = ENTRY_OVERHEAD + delivery.dataJson().length();
        if (delivery.isBinary()) {
            size += delivery.binaryBody().length + 16;
        }
        return size;
    }

    void historyChanged(long bytes, long entries) {
        if (bytes != 0) {
            historyBytes.addAndGet(bytes);
        }
        if (entries != 0) {
            historyEntries.addAndGet(entries);
        }
    }

    void inboxChanged(long bytes, long entries) {
        if (bytes != 0) {
            inboxBytes.addAndGet(bytes);
        }
        if (entries != 0) {
            inboxEntries.addAndGet(entries);
        }
    }

    /** Whether history and inboxes together hold more than the limit. */
    boolean exceeded() {
        return used() > limit;
    }

    /** Whether they hold more than the low-water mark, where reclaiming stops. */
    boolean aboveLowWater() {
        return used() > lowWater();
    }

    /** Claims the right to free memory; false if another thread is at it. Pair with {@link #endReclaim()}. */
    boolean tryStartReclaim() {
        return reclaiming.compareAndSet(false, true);
    }

    void endReclaim() {
        reclaiming.set(false);
    }

    public long limit() {
        return limit;
    }

    public long lowWater() {
        return (long) (limit * LOW_WATER);
    }

    /** Estimated bytes held by history and inboxes together. */
    public long used() {
        return historyBytes.get() + inboxBytes.get();
    }

    /** Estimated bytes held by topic history (all topics). */
    public long historyBytes() {
        return historyBytes.get();
    }

    /** Messages held in topic history (all topics). */
    public long historyEntries() {
        return historyEntries.get();
    }

    /** Estimated bytes held by inboxes: pending messages and dead letters. */
    public long inboxBytes() {
        return inboxBytes.get();
    }

    /** Messages held by inboxes: pending messages and dead letters. */
    public long inboxEntries() {
        return inboxEntries.get();
    }
}
