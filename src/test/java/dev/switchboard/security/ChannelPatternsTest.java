package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelPatternsTest {

    @Test
    void literalPatternMatchesOnlyThatExactId() {
        assertThat(ChannelPatterns.matches("agent-42", "agent-42")).isTrue();
        assertThat(ChannelPatterns.matches("agent-42", "agent-420")).isFalse();
        assertThat(ChannelPatterns.matches("agent-42", "agent-4")).isFalse();
        assertThat(ChannelPatterns.matches("agent-42", "Agent-42")).isFalse();
    }

    @Test
    void trailingStarMatchesEveryIdWithThatPrefix() {
        assertThat(ChannelPatterns.matches("desk-*", "desk-1")).isTrue();
        assertThat(ChannelPatterns.matches("desk-*", "desk-emea.7")).isTrue();
        assertThat(ChannelPatterns.matches("desk-*", "desk")).isFalse();
        assertThat(ChannelPatterns.matches("desk-*", "mydesk-1")).isFalse();
    }

    @Test
    void loneStarMatchesAnyId() {
        assertThat(ChannelPatterns.matches("*", "anything:at.all")).isTrue();
    }

    @Test
    void starElsewhereThanAtTheEndIsLiteral() {
        assertThat(ChannelPatterns.matches("desk-*-a", "desk-1-a")).isFalse();
        assertThat(ChannelPatterns.matches("*-a", "desk-a")).isFalse();
        assertThat(ChannelPatterns.matches("desk-*-a", "desk-*-a")).isTrue();
    }

    @Test
    void anyMatchesIsTrueIfOnePatternMatches() {
        List<String> patterns = List.of("agent-42", "desk-*");

        assertThat(ChannelPatterns.anyMatches(patterns, "agent-42")).isTrue();
        assertThat(ChannelPatterns.anyMatches(patterns, "desk-9")).isTrue();
        assertThat(ChannelPatterns.anyMatches(patterns, "agent-43")).isFalse();
    }

    @Test
    void noPatternsMatchNothing() {
        assertThat(ChannelPatterns.anyMatches(List.of(), "agent-42")).isFalse();
    }
}
