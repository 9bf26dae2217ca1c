package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicPositionsTest {

    private final TopicPositions positions = new TopicPositions();

    @Test
    void aFirstSubscribeAsksForNoResumeAndStartsAtTheTopicsPosition() {
        assertThat(positions.resumeFrom("news")).isNull();
        assertThat(positions.subscribed("news", 7, "e1", false)).isNull();
        assertThat(positions.position("news")).isEqualTo(new TopicPositions.Position("e1", 7));
    }

    @Test
    void newOffsetsAreAcceptedAndReplaysOfSeenOnesAreNot() {
        positions.subscribed("news", 0, "e1", false);
        assertThat(positions.accept("news", 1, "e1")).isTrue();
        assertThat(positions.accept("news", 2, "e1")).isTrue();
        assertThat(positions.accept("news", 2, "e1")).isFalse();
        assertThat(positions.accept("news", 1, "e1")).isFalse();
        assertThat(positions.accept("news", 3, "e1")).isTrue();
        assertThat(positions.position("news")).isEqualTo(new TopicPositions.Position("e1", 3));
    }

    @Test
    void topicsAreTrackedSeparately() {
        positions.accept("a", 5, "e1");
        assertThat(positions.accept("b", 1, "e1")).isTrue();
        assertThat(positions.accept("a", 5, "e1")).isFalse();
    }

    @Test
    void aResumeAsksFromTheLastDeliveredOffsetAndAReplayOverlappingItIsDeduplicated() {
        positions.subscribed("news", 0, "e1", false);
        positions.accept("news", 1, "e1");
        positions.accept("news", 2, "e1");

        assertThat(positions.resumeFrom("news")).isEqualTo(new TopicPositions.Position("e1", 2));
        assertThat(positions.accept("news", 2, "e1")).isFalse();
        assertThat(positions.accept("news", 3, "e1")).isTrue();
        assertThat(positions.accept("news", 4, "e1")).isTrue();
        assertThat(positions.subscribed("news", 4, "e1", true)).isNull();
        assertThat(positions.accept("news", 4, "e1")).isFalse();
        assertThat(positions.accept("news", 5, "e1")).isTrue();
    }

    @Test
    void anUnrecoveredResumeReportsTheGapAndContinuesAfterTheServersPosition() {
        positions.subscribed("news", 0, "e1", false);
        positions.accept("news", 3, "e1");
        positions.resumeFrom("news");

        RecoveryFailure failure = positions.subscribed("news", 2000, "e1", false);

        assertThat(failure).isEqualTo(new RecoveryFailure("news", "e1", 3, "e1", 2000));
        assertThat(failure.epochChanged()).isFalse();
        assertThat(positions.accept("news", 2000, "e1")).isFalse();
        assertThat(positions.accept("news", 2001, "e1")).isTrue();
    }

    @Test
    void aNewEpochIsAGapOfUnknownSizeAndItsOffsetsStartAfresh() {
        positions.subscribed("news", 0, "e1", false);
        positions.accept("news", 40, "e1");
        positions.resumeFrom("news");

        RecoveryFailure failure = positions.subscribed("news", 0, "e2", false);

        assertThat(failure.epochChanged()).isTrue();
        assertThat(failure.lastOffset()).isEqualTo(40);
        assertThat(positions.accept("news", 1, "e2")).isTrue();
    }

    @Test
    void aRepeatedPlainSubscribeIsNoRecoveryFailure() {
        positions.subscribed("news", 0, "e1", false);
        assertThat(positions.resumeFrom("unknown")).isNull();
        assertThat(positions.subscribed("news", 3, "e1", false)).isNull();
    }

    @Test
    void forgettingATopicMakesTheNextSubscribeAPlainOne() {
        positions.accept("news", 9, "e1");
        positions.forget("news");
        assertThat(positions.resumeFrom("news")).isNull();
        assertThat(positions.accept("news", 1, "e1")).isTrue();
    }
}
