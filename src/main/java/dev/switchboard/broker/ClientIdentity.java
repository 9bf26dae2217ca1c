package dev.switchboard.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is on the other end of a session, as established by the handshake: the token's subject,
 * its roles, the channel it holds (null if none) and until when its token counts (its expiry plus
 * the allowed clock skew; null for never), after which the session is closed with 1008, and the
 * token's {@code jti} (null if it has none), by which one token can be revoked, and the token's
 * other string and string-list claims, which destination rules may test (a string claim is a
 * one-element list; never null).
 */
public record ClientIdentity(String user, Set<String> roles, String channelId, Instant tokenValidUntil,
        String tokenId, Map<String, List<String>> claims) {

    public ClientIdentity {
        roles = Set.copyOf(roles);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** An identity without claims beyond roles. */
    public ClientIdentity(String user, Set<String> roles, String channelId, Instant tokenValidUntil, String tokenId) {
        this(user, roles, channelId, tokenValidUntil, tokenId, Map.of());
    }

    /** An identity whose token has no {@code jti}. */
    public ClientIdentity(String user, Set<String> roles, String channelId, Instant tokenValidUntil) {
        this(user, roles, channelId, tokenValidUntil, null);
    }

    /**
     * How long after its {@code exp} a token still counts (docs/protocol.md, Tokens): the clock
     * difference allowed between the token's issuer and us.
     */
    public static final Duration TOKEN_CLOCK_SKEW = Duration.ofSeconds(30);

    /** The token's {@code exp}: {@link #tokenValidUntil} less the clock skew; null for never. */
    public Instant tokenExpiresAt() {
        return tokenValidUntil == null ? null : tokenValidUntil.minus(TOKEN_CLOCK_SKEW);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** The values of claim {@code name}: empty if the token had none (or not as strings). */
    public List<String> claim(String name) {
        return claims.getOrDefault(name, List.of());
    }
}
