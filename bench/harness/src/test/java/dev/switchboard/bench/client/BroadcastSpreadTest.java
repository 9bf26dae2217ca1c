package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BroadcastSpreadTest {

    private final BroadcastSpread spread = new BroadcastSpread();

    @Test
    void aPublicationCountsOnceEveryRecipientHasIt() {
        spread.delivered(7, 1_000, 3);
        spread.delivered(7, 4_000, 3);
        assertThat(spread.complete().getTotalCount()).isZero();
        spread.delivered(7, 2_000, 3);
        assertThat(spread.complete().getTotalCount()).isEqualTo(1);
        assertThat(spread.complete().getMaxValue()).isBetween(3_990L, 4_010L);
        assertThat(spread.spread().getMaxValue()).isBetween(2_990L, 3_010L);
    }

    @Test
    void publicationsAreTrackedApart() {
        spread.delivered(1, 100, 2);
        spread.delivered(2, 500, 2);
        spread.delivered(1, 300, 2);
        assertThat(spread.complete().getTotalCount()).isEqualTo(1);
        assertThat(spread.spread().getMaxValue()).isBetween(199L, 201L);
    }
}
