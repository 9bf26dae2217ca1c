package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    private static final Logger LOG = System.getLogger(MemoryBudgetTest.class.getName());

    @Test
    void aDeliveryIsCountedAsItsPayloadPlusTheEntryOverhead() {
        Delivery json = TestDeliveries.toTopic("id", "news", 1, "e", "\"hello\"", Instant.EPOCH);
        Delivery binary = Delivery.toTopicBinary("id", "news", 1, "e", new byte[30], "image/png", Instant.EPOCH);

        assertThat(MemoryBudget.sizeOf(json)).isEqualTo(MemoryBudget.ENTRY_OVERHEAD + 7);
        assertThat(MemoryBudget.sizeOf(binary)).as("base64 text and the bytes")
                .isEqualTo(MemoryBudget.ENTRY_OVERHEAD + 42 + 30 + 16);
    }

    @Test
    void itIsExceededPastItsLimitAndReclaimsDownToNinetyPercent() {
        MemoryBudget budget = new MemoryBudget(1000);
        budget.historyChanged(600, 1);
        budget.inboxChanged(400, 1);
        assertThat(budget.exceeded()).isFalse();

        budget.inboxChanged(1, 1);

        assertThat(budget.exceeded()).isTrue();
        assertThat(budget.lowWater()).isEqualTo(900);
        assertThat(budget.used()).isEqualTo(1001);
    }

    @Test
    void oneThreadAtATimeReclaims() {
        MemoryBudget budget = new MemoryBudget(1000);

        assertThat(budget.tryStartReclaim()).isTrue();
        assertThat(budget.tryStartReclaim()).isFalse();
        budget.endReclaim();
        assertThat(budget.tryStartReclaim()).isTrue();
    }

    @Test
    void aShareOfTheHeapIsBetweenOneAndNinetyPercent() {
        assertThat(MemoryBudget.ofHeapPercent(25).limit()).isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 25);
        assertThatThrownBy(() -> MemoryBudget.ofHeapPercent(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryBudget.ofHeapPercent(91)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Measures what a history entry really takes besides its payload, to keep {@link
     * MemoryBudget#ENTRY_OVERHEAD} honest: 100,000 small messages in one topic's history (ids and
     * timestamps as the broker makes them), heap before and after.
     */
    @Test
    void theEntryOverheadIsNoLessThanWhatAHistoryEntryMeasurablyTakes() {
        int entries = 100_000;
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        TopicStream stream = new TopicStream("e-1", budget, Instant.EPOCH);
        HistoryPolicy policy = new HistoryPolicy(entries, Duration.ofDays(1), Long.MAX_VALUE, Duration.ZERO);
        MessageIds ids = new MessageIds();
        Instant start = Instant.now();
        long before = SettledHeap.used();
        for (int i = 0; i < entries; i++) {
            // Distinct timestamps and payloads, as real traffic has: nothing shared between entries.
            Delivery delivery = TestDeliveries.toTopic(ids.next(), "news", stream.nextOffset(), "e-1",
                    "{\"n\":" + (1_000_000 + i) + "}", start.plusNanos(i));
            stream.remember(delivery, policy, start);
        }
        long after = SettledHeap.used();
        long payload = "{\"n\":1000000}".length();
        double measuredOverhead = (after - before) / (double) entries - payload;
        LOG.log(Level.INFO, "history entry overhead: measured {0} B, counted {1} B", Math.round(measuredOverhead),
                MemoryBudget.ENTRY_OVERHEAD);

        assertThat(stream.lastOffset()).isEqualTo(entries); // keeps the stream reachable until here
        assertThat(budget.historyBytes()).isEqualTo(entries * (MemoryBudget.ENTRY_OVERHEAD + payload));
        assertThat(measuredOverhead).isLessThanOrEqualTo(MemoryBudget.ENTRY_OVERHEAD);
    }
}
