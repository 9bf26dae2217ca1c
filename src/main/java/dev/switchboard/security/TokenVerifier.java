package dev.switchboard.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.switchboard.broker.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import dev.switchboard.broker.RevocationList;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Verifies tokens (docs/protocol.md, Tokens) with nimbus-jose-jwt: signature by HS256, RS256 or ES256
 * depending on the configured keys (never {@code none}), {@code sub} and {@code exp} required,
 * 30 s clock skew, {@code iss} and {@code aud} checked when configured. Time comes from the
 * injected clock. Thread safe.
 */
public final class TokenVerifier {

    /** Allowed clock difference between the token issuer and us (docs/protocol.md, Tokens). */
    public static final int CLOCK_SKEW_SECONDS = (int) ClientIdentity.TOKEN_CLOCK_SKEW.toSeconds();

    private static final String MISSING_CLAIM = "token lacks a required claim (sub, exp)";
    /** The reason for a revoked token (docs/security.md, Revocation). */
    public static final String REVOKED = "token revoked";
    public static final String LIFETIME_TOO_LONG = "token lifetime too long";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Clock clock;
    /** Null: any lifetime. */
    private final Duration maxLifetime;
    private final RevocationList revocations;

    /** A verifier that accepts any lifetime and knows no revocations (tests, tools). */
    public TokenVerifier(TokenKeys keys, String issuer, String audience, Clock clock) {
        this(keys, issuer, audience, clock, null, null);
    }

    /**
     * A verifier that also refuses a token whose {@code exp} is more than {@code maxLifetime} (plus
     * the clock skew) ahead, and a token that {@code revocations} revokes. Either may be null: no
     * such check.
     */
    public TokenVerifier(TokenKeys keys, String issuer, String audience, Clock clock, Duration maxLifetime,
            RevocationList revocations) {
        this.clock = clock;
        this.maxLifetime = maxLifetime;
        this.revocations = revocations;
        processor.setJWSKeySelector(keySelector(keys));
        JWTClaimsSet exactMatch = issuer == null ? null : new JWTClaimsSet.Builder().issuer(issuer).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience, exactMatch,
                Set.of("sub", "exp")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * Only the algorithm that matches each configured key is accepted; anything else finds no key.
     * A token with a {@code kid} is tried with the JWKS key of that id (if a JWKS is configured)
     * and with the static keys, so issuers that always set {@code kid} keep working with a secret.
     */
    private static JWSKeySelector<SecurityContext> keySelector(TokenKeys keys) {
        return (header, context) -> {
            List<Key> candidates = new ArrayList<>();
            if (keys.jwks() != null) {
                candidates.addAll(keys.jwks().keysFor(header));
            }
            JWSAlgorithm alg = header.getAlgorithm();
            if (JWSAlgorithm.HS256.equals(alg) && keys.hmacSecret() != null) {
                candidates.add(keys.hmacSecret());
            }
            if (JWSAlgorithm.RS256.equals(alg) && keys.publicKey() instanceof RSAPublicKey) {
                candidates.add(keys.publicKey());
            }
            if (JWSAlgorithm.ES256.equals(alg) && keys.publicKey() instanceof ECPublicKey) {
                candidates.add(keys.publicKey());
            }
            return candidates;
        };
    }

    /**
     * Verifies {@code token} and returns its claims.
     *
     * @throws TokenRejectedException with a client-safe reason if it is not acceptable
     */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new TokenRejectedException("token is not a JWT", e);
        } catch (BadJOSEException e) {
            throw new TokenRejectedException(reason(e), e);
        } catch (JOSEException e) {
            throw new TokenRejectedException("token signature could not be checked", e);
        }
        if (claims.getSubject().isBlank()) {
            throw new TokenRejectedException(MISSING_CLAIM);
        }
        if (claims.getSubject().chars().anyMatch(Character::isISOControl)) {
            // A user id travels in headers (STOMP user-name) and log lines: no line breaks or other controls.
            throw new TokenRejectedException("claim 'sub' must not contain control characters");
        }
        VerifiedToken verified = verified(token, claims);
        admit(verified);
        return verified;
    }

    /**
     * The checks that follow a token through its life, not only its signature: its lifetime and
     * revocation. Also for a token that arrives as a ticket, checked again when the ticket is taken.
     *
     * @throws TokenRejectedException if the token is expired, lives too long or is revoked
     */
    public void admit(VerifiedToken token) throws TokenRejectedException {
        Instant now = clock.instant();
        if (!now.isBefore(token.expiresAt().plusSeconds(CLOCK_SKEW_SECONDS))) {
            throw new TokenRejectedException("token expired");
        }
        if (maxLifetime != null && token.expiresAt().isAfter(now.plus(maxLifetime).plusSeconds(CLOCK_SKEW_SECONDS))) {
            throw new TokenRejectedException(LIFETIME_TOO_LONG);
        }
        if (revocations != null && revocations.isRevoked(token.subject(), token.tokenId())) {
            throw new TokenRejectedException(REVOKED);
        }
    }

    private static VerifiedToken verified(String token, JWTClaimsSet claims) throws TokenRejectedException {
        try {
            List<String> roles = claims.getStringListClaim("roles");
            List<String> channels = claims.getStringListClaim("channels");
            return new VerifiedToken(claims.getSubject(), roles == null ? Set.of() : Set.copyOf(roles),
                    channels == null ? null : List.copyOf(channels), claims.getExpirationTime().toInstant(),
                    fingerprint(token), claims.getJWTID(), TokenClaims.forRules(claims));
        } catch (ParseException e) {
            throw new TokenRejectedException("claims 'roles' and 'channels' must be arrays of strings", e);
        }
    }

    /** A client-safe reason from nimbus's message (checked most specific first). */
    private static String reason(BadJOSEException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("missing required claims")) {
            return MISSING_CLAIM;
        }
        if (message.contains("expired")) {
            return "token expired";
        }
        if (message.contains("before use time")) {
            return "token not yet valid";
        }
        if (message.contains("unsecured") || message.contains("plain")) {
            return "unsigned tokens are not accepted";
        }
        if (message.contains("iss claim") || message.contains("aud claim") || message.contains("audience")) {
            return "token issuer or audience not accepted";
        }
        return "token signature or algorithm not accepted";
    }

    /** The first 12 hex digits of the token's SHA-256: identifies a token in logs without revealing it. */
    public static String fingerprint(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }
}
