package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.broker.ClientIdentity;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DestinationPatternTest {

    private static boolean matches(String pattern, String name, String user) {
        return DestinationPattern.parse(pattern).matches(name, new ClientIdentity(user, Set.of(), null, null));
    }

    @Test
    void aSingleStarStaysWithinASegmentAndMatchesAtLeastOneCharacter() {
        assertThat(matches("news.*", "news.eu", "u")).isTrue();
        assertThat(matches("news.*", "news.eu.fr", "u")).isFalse();
        assertThat(matches("news.*", "news.", "u")).isFalse();
        assertThat(matches("desk-*", "desk-42", "u")).isTrue();
        assertThat(matches("*.alerts", "ops.alerts", "u")).isTrue();
        assertThat(matches("*.alerts", "a.ops.alerts", "u")).isFalse();
    }

    @Test
    void aDoubleStarCrossesSegments() {
        assertThat(matches("news.**", "news.eu.fr", "u")).isTrue();
        assertThat(matches("news.**", "news", "u")).isFalse();
        assertThat(matches("**", "anything.at.all", "u")).isTrue();
        assertThat(matches("a.**.z", "a.b.c.z", "u")).isTrue();
    }

    @Test
    void theSubjectPlaceholderIsTheUserIdLiterally() {
        assertThat(matches("agent.{sub}", "agent.alice", "alice")).isTrue();
        assertThat(matches("agent.{sub}", "agent.alice", "bob")).isFalse();
        assertThat(matches("agent.{sub}.*", "agent.a.b.c", "a.b")).isTrue();
        assertThat(matches("agent.{sub}", "agent.abc", "a*")).isFalse();
        assertThat(matches("{sub}-{sub}", "x-x", "x")).isTrue();
    }

    @Test
    void literalsAreExactAndNullNeverMatches() {
        assertThat(matches("echo", "echo", "u")).isTrue();
        assertThat(matches("echo", "echo2", "u")).isFalse();
        assertThat(matches("echo", null, "u")).isFalse();
    }

    @Test
    void onlyNameCharactersWildcardsAndThePlaceholderAreAccepted() {
        for (String bad : new String[] {"", "a/b", "a b", "{user}", "a.***", "x{sub"}) {
            assertThatThrownBy(() -> DestinationPattern.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
