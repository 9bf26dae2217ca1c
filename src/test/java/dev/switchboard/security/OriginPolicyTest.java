package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy sameOriginOnly = new OriginPolicy(List.of());

    @Test
    void requestWithoutOriginIsAllowed() {
        assertThat(sameOriginOnly.allows(null, "https", "push.example.com")).isTrue();
    }

    @Test
    void sameOriginIsAllowed() {
        assertThat(sameOriginOnly.allows("https://push.example.com", "https", "push.example.com")).isTrue();
        assertThat(sameOriginOnly.allows("http://localhost:8080", "http", "localhost:8080")).isTrue();
    }

    @Test
    void sameOriginIgnoresCase() {
        assertThat(sameOriginOnly.allows("HTTPS://Push.Example.COM", "https", "push.example.com")).isTrue();
        assertThat(sameOriginOnly.allows("https://push.example.com", "HTTPS", "PUSH.example.com")).isTrue();
    }

    @Test
    void sameOriginIgnoresExplicitDefaultPorts() {
        assertThat(sameOriginOnly.allows("https://push.example.com:443", "https", "push.example.com")).isTrue();
        assertThat(sameOriginOnly.allows("https://push.example.com", "https", "push.example.com:443")).isTrue();
        assertThat(sameOriginOnly.allows("http://push.example.com:80", "http", "push.example.com")).isTrue();
    }

    @Test
    void differentSchemeOrPortIsAnotherOrigin() {
        assertThat(sameOriginOnly.allows("http://push.example.com", "https", "push.example.com")).isFalse();
        assertThat(sameOriginOnly.allows("https://push.example.com:8443", "https", "push.example.com")).isFalse();
        assertThat(sameOriginOnly.allows("http://push.example.com:443", "http", "push.example.com")).isFalse();
    }

    @Test
    void otherOriginIsRefusedWhenNoneIsConfigured() {
        assertThat(sameOriginOnly.allows("https://evil.example", "https", "push.example.com")).isFalse();
        assertThat(sameOriginOnly.allows("null", "https", "push.example.com")).isFalse();
    }

    @Test
    void configuredOriginsAreAllowedAndOthersRefused() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com", "http://localhost:3000"));

        assertThat(policy.allows("https://app.example.com", "https", "push.example.com")).isTrue();
        assertThat(policy.allows("https://APP.example.com:443", "https", "push.example.com")).isTrue();
        assertThat(policy.allows("http://localhost:3000", "https", "push.example.com")).isTrue();
        assertThat(policy.allows("http://localhost:3001", "https", "push.example.com")).isFalse();
        assertThat(policy.allows("https://evil.example", "https", "push.example.com")).isFalse();
    }

    @Test
    void configuredListStillAllowsSameOrigin() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com"));

        assertThat(policy.allows("https://push.example.com", "https", "push.example.com")).isTrue();
    }

    @Test
    void configuredOriginWithDefaultPortMatchesOriginWithout() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com:443"));

        assertThat(policy.allows("https://app.example.com", "https", "push.example.com")).isTrue();
    }

    @Test
    void aPublicOriginReplacesHostAsTheSameOrigin() {
        OriginPolicy policy = new OriginPolicy(List.of(), List.of("https://push.example.com"));

        // DNS rebinding: Host and Origin agree, and both are the attacker's name.
        assertThat(policy.allows("http://evil.example", "http", "evil.example")).isFalse();
        assertThat(policy.allows("https://push.example.com", "http", "10.0.0.7:8080")).isTrue();
        assertThat(policy.allows("https://PUSH.example.com:443", "http", "10.0.0.7:8080")).isTrue();
        assertThat(policy.allows(null, "http", "anything")).as("non-browser clients").isTrue();
        assertThat(policy.frameAncestors()).isEqualTo("'self' https://push.example.com");
    }

    @Test
    void allowedOriginsStillPassWithAPublicOrigin() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com"), List.of("https://push.example.com"));

        assertThat(policy.allows("https://app.example.com", "https", "push.example.com")).isTrue();
        assertThat(policy.allows("https://other.example.com", "https", "other.example.com")).isFalse();
    }

    @Test
    void starAllowsAnyOrigin() {
        OriginPolicy policy = new OriginPolicy(List.of("*"));

        assertThat(policy.allows("https://anywhere.example", "https", "push.example.com")).isTrue();
        assertThat(policy.allows("null", "https", "push.example.com")).isTrue();
    }

    @Test
    void framingIsLimitedToOurOwnPagesAndTheAllowedOrigins() {
        assertThat(sameOriginOnly.frameAncestors()).isEqualTo("'self'");
        assertThat(new OriginPolicy(List.of("https://app.example.com", "HTTP://localhost:3000")).frameAncestors())
                .isEqualTo("'self' http://localhost:3000 https://app.example.com");
        assertThat(new OriginPolicy(List.of("*")).frameAncestors()).isNull();
    }
}
