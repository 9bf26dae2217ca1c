package dev.switchboard.standalone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCommandTest {

    @Test
    void aTtlIsSecondsMinutesHoursDaysOrIso8601() {
        assertThat(TokenCommand.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TokenCommand.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(TokenCommand.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(TokenCommand.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(TokenCommand.duration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
        assertThat(TokenCommand.duration("pt2h")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void anythingElseIsAUsageErrorThatShowsTheForms() {
        for (String bad : new String[] {"1 hour", "h", "", "2x", "-5m", "0s"}) {
            assertThatThrownBy(() -> TokenCommand.duration(bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--ttl '" + bad + "'");
        }
    }

    @Test
    void claimsGivenWithClaimAreStringsAndANameGivenTwiceIsAList() throws Exception {
        String secret = "a-test-secret-of-at-least-32-bytes!!";
        String token = mint(secret, "token", "--sub", "ops", "--claim", "tenant=acme", "--claim=team=blue",
                "--claim", "team=red", "--claim", "note=a=b");

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("ops");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("tenant")).isEqualTo("acme");
        assertThat(jwt.getJWTClaimsSet().getStringListClaim("team")).isEqualTo(List.of("blue", "red"));
        assertThat(jwt.getJWTClaimsSet().getStringClaim("note")).isEqualTo("a=b");
    }

    @Test
    void aClaimWithoutANameOrOneThatHasItsOwnOptionIsAUsageError() {
        assertThatThrownBy(() -> TokenCommand.extraClaims(List.of("tenant"))).isInstanceOf(UsageException.class)
                .hasMessage("--claim 'tenant' is not name=value");
        assertThatThrownBy(() -> TokenCommand.extraClaims(List.of("=x"))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> TokenCommand.extraClaims(List.of("roles=admin"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("--claim roles is set by the command or its own option");
    }

    @Test
    void onlyClaimMayBeGivenTwice() {
        assertThatThrownBy(() -> Options.parse(List.of("--sub", "a", "--sub", "b"), java.util.Set.of("sub", "claim"),
                java.util.Set.of("claim"))).isInstanceOf(UsageException.class).hasMessage("option --sub given twice");
    }

    /** Runs {@code token} with {@code secret} as the configured secret; returns what it printed. */
    private static String mint(String secret, String... args) throws Exception {
        String property = "switchboard.jwt.secret";
        String before = System.getProperty(property);
        System.setProperty(property, secret);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TokenCommand.run(List.of(args).subList(1, args.length), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return out.toString(StandardCharsets.UTF_8).strip();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }
}
