package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonNestingTest {

    @Test
    void depthUpToTheLimitPasses() {
        assertThat(JsonNesting.exceeds("[[[]]]", 3)).isFalse();
        assertThat(JsonNesting.exceeds("{\"a\":{\"b\":[1]}}", 3)).isFalse();
        assertThat(JsonNesting.tooDeep("[".repeat(512) + "]".repeat(512))).isFalse();
    }

    @Test
    void oneLevelPastTheLimitIsTooDeep() {
        assertThat(JsonNesting.exceeds("[[[[]]]]", 3)).isTrue();
        assertThat(JsonNesting.exceeds("{\"a\":{\"b\":[{}]}}", 3)).isTrue();
        assertThat(JsonNesting.tooDeep("[".repeat(513) + "]".repeat(513))).isTrue();
    }

    @Test
    void depthIsTheDeepestPointNotTheNumberOfContainers() {
        assertThat(JsonNesting.exceeds("[[1],[2],[3],{\"a\":4}]", 2)).isFalse();
    }

    @Test
    void bracketsInStringsAndEscapedQuotesDoNotCount() {
        assertThat(JsonNesting.exceeds("[\"[[[[\"]", 1)).isFalse();
        assertThat(JsonNesting.exceeds("[\"\\\"[[[[\\\\\"]", 1)).isFalse();
        assertThat(JsonNesting.exceeds("[\"\\\\\",[[]]]", 2)).isTrue(); // the string ends after "\\"
    }

    @Test
    void unbalancedTextIsLeftForTheParserAndNeverFails() {
        assertThat(JsonNesting.exceeds("]]]]}}}[", 1)).isFalse();
        assertThat(JsonNesting.exceeds("\"[[[[", 1)).isFalse();
        assertThat(JsonNesting.exceeds("\"\\", 1)).isFalse();
        assertThat(JsonNesting.exceeds("", 1)).isFalse();
    }
}
