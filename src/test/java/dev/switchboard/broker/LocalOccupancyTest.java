package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One node's counts: each crossing reported once, and a group forgotten when its last member goes. */
class LocalOccupancyTest {

    private final LocalOccupancy occupancy = new LocalOccupancy();
    private final AtomicInteger firsts = new AtomicInteger();
    private final AtomicInteger lasts = new AtomicInteger();

    @Test
    void aGroupIsOccupiedOnceAndVacatedOnceWhateverItsMembers() {
        occupancy.enter("alice", firsts::incrementAndGet);
        occupancy.enter("alice", firsts::incrementAndGet);
        occupancy.leave("alice", lasts::incrementAndGet);
        assertThat(lasts).hasValue(0);
        occupancy.leave("alice", lasts::incrementAndGet);
        occupancy.leave("alice", lasts::incrementAndGet); // one leave too many: nothing to report

        assertThat(firsts).hasValue(1);
        assertThat(lasts).hasValue(1);
    }

    @Test
    void hundredThousandGroupsEnteredAndLeftLeaveNothingBehind() {
        long before = SettledHeap.used();
        for (int i = 0; i < 100_000; i++) {
            occupancy.enter("user-" + i, firsts::incrementAndGet);
        }
        long occupied = SettledHeap.used();
        for (int i = 0; i < 100_000; i++) {
            occupancy.leave("user-" + i, lasts::incrementAndGet);
        }
        long left = SettledHeap.used();

        assertThat(firsts).hasValue(100_000);
        assertThat(lasts).hasValue(100_000);
        assertThat(occupied - before).as("100,000 entries held while occupied").isGreaterThan(4_000_000);
        // What stays is the emptied map table: 262,144 slots of 4 bytes at 100,000 keys; it never shrinks.
        assertThat(left - before).as("heap back where it was, but for one map table (1 MiB), give or take 1 MB")
                .isLessThan(1_048_576 + 1_000_000);
        // Forgotten, not kept at zero: entering again is a first again.
        occupancy.enter("user-7", firsts::incrementAndGet);
        assertThat(firsts).hasValue(100_001);
    }
}
