package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokenTest {

    private static VerifiedToken withChannels(List<String> channels) {
        return new VerifiedToken("alice", Set.of("publisher"), channels, Instant.EPOCH, "0123456789ab", null);
    }

    @Test
    void absentChannelsClaimAllowsAnyChannel() {
        assertThat(withChannels(null).allowsChannel("agent-42")).isTrue();
        assertThat(withChannels(null).allowsChannel("desk-1")).isTrue();
    }

    @Test
    void emptyChannelsClaimAllowsNoChannel() {
        assertThat(withChannels(List.of()).allowsChannel("agent-42")).isFalse();
    }

    @Test
    void channelsClaimAllowsLiteralAndPrefixMatchesOnly() {
        VerifiedToken token = withChannels(List.of("agent-42", "desk-*"));

        assertThat(token.allowsChannel("agent-42")).isTrue();
        assertThat(token.allowsChannel("desk-emea")).isTrue();
        assertThat(token.allowsChannel("agent-43")).isFalse();
        assertThat(token.allowsChannel("de")).isFalse();
    }

    @Test
    void rolesAreLookedUpByName() {
        VerifiedToken token = withChannels(null);

        assertThat(token.hasRole(VerifiedToken.ROLE_PUBLISHER)).isTrue();
        assertThat(token.hasRole(VerifiedToken.ROLE_ADMIN)).isFalse();
    }
}
