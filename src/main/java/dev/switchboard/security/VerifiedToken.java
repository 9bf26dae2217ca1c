package dev.switchboard.security;

import dev.switchboard.broker.ClientIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claims of a token whose signature and times have been checked.
 *
 * @param subject        the {@code sub} claim: the user id
 * @param roles          the {@code roles} claim, empty if absent
 * @param channels       the {@code channels} claim's patterns, or null if absent (any channel)
 * @param expiresAt      the {@code exp} claim
 * @param fingerprint    a short hash of the token, safe to log in place of the token
 * @param tokenId        the {@code jti} claim, or null if absent
 * @param claims         the other string and string-list claims, for destination rules (see
 *                       {@link ClientIdentity#claims()})
 */
public record VerifiedToken(String subject, Set<String> roles, List<String> channels, Instant expiresAt,
        String fingerprint, String tokenId, Map<String, List<String>> claims) {

    public VerifiedToken {
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** A token without claims beyond the ones named. */
    public VerifiedToken(String subject, Set<String> roles, List<String> channels, Instant expiresAt,
            String fingerprint, String tokenId) {
        this(subject, roles, channels, expiresAt, fingerprint, tokenId, Map.of());
    }

    public static final String ROLE_PUBLISHER = "publisher";
    public static final String ROLE_ADMIN = "admin";

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * The client this token authenticates, holding {@code channelId} (may be null); its token
     * counts until {@code exp} plus the allowed clock skew.
     */
    public ClientIdentity identity(String channelId) {
        return new ClientIdentity(subject, roles, channelId, expiresAt.plusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS),
                tokenId, claims);
    }

    /** Whether the token's {@code channels} claim allows {@code channelId}. */
    public boolean allowsChannel(String channelId) {
        return channels == null || ChannelPatterns.anyMatches(channels, channelId);
    }
}
