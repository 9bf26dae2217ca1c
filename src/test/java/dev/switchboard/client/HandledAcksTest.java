package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandledAcksTest {

    @Test
    void remembersHandledIdsUpToItsCapacityForgettingTheOldestFirst() {
        HandledAcks acks = new HandledAcks(2);
        acks.add("a");
        acks.add("b");
        assertThat(acks.contains("a")).isTrue();
        acks.add("c");
        assertThat(acks.contains("a")).isFalse();
        assertThat(acks.contains("b")).isTrue();
        assertThat(acks.contains("c")).isTrue();
        assertThat(acks.contains("d")).isFalse();
    }
}
