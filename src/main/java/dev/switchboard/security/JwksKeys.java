package dev.switchboard.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URL;
import java.security.Key;
import java.text.ParseException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.ArrayList;
import java.util.List;

/**
 * Verification keys from a JWKS (SWITCHBOARD_JWT_JWKS), chosen by the token's {@code kid}. The
 * algorithm follows the key, never the token alone: an RSA key verifies RS256 only, an EC P-256
 * key ES256 only, and an {@code oct} key (a shared secret of at least 32 bytes, from a file only)
 * HS256 only; a key whose {@code alg} is set verifies that algorithm only, and keys marked
 * {@code "use": "enc"} verify nothing. So an RSA public key's bytes used as an HS256 secret
 * (algorithm confusion) find no key.
 *
 * <p>A file is a {@link ReloadingFile}: polled, and read again (rate limited) when a token names a
 * {@code kid} it does not hold. A URL goes through nimbus's {@link JWKSourceBuilder}: cached for
 * SWITCHBOARD_JWT_JWKS_CACHE_MS, refetched on an unknown {@code kid} (at most twice per 30 s),
 * retried once on a network error. Thread safe.
 */
public final class JwksKeys {

    private final JWKSource<SecurityContext> source;
    /** Null for a URL: its source refetches by itself. */
    private final ReloadingFile<JWKSet> file;
    private final boolean secretsAllowed;

    private JwksKeys(JWKSource<SecurityContext> source, ReloadingFile<JWKSet> file, boolean secretsAllowed) {
        this.source = source;
        this.file = file;
        this.secretsAllowed = secretsAllowed;
    }

    /** Keys from a JWKS file, read again when it changes. */
    static JwksKeys fromFile(ReloadingFile<JWKSet> file) {
        return new JwksKeys((selector, context) -> selector.select(file.current()), file, true);
    }

    /**
     * Keys from the JWKS file {@code file}, checked for changes every {@code pollInterval} and when
     * a token names an unknown {@code kid} (at most once a second).
     *
     * @throws IllegalArgumentException with one line naming SWITCHBOARD_JWT_JWKS, if it cannot be read or parsed
     */
    public static JwksKeys watchingFile(Path file, Clock clock, ScheduledExecutorService scheduler,
            Duration pollInterval) {
        return fromFile(ReloadingFile.watch("SWITCHBOARD_JWT_JWKS", file, JwksKeys::parse, clock, scheduler,
                pollInterval));
    }

    /**
     * Keys from a JWKS URL ({@code https}, or {@code http} for a loopback address only). Secrets
     * ({@code oct} keys) are never taken from a URL: a JWKS endpoint is public.
     */
    public static JwksKeys fromUrl(URL url, Duration cacheFor) {
        long ttl = cacheFor.toMillis();
        // A miss (unknown kid) refetches at once, but at most twice per interval: made-up key ids
        // cannot turn into a stream of requests to the issuer. Nimbus wants the interval under the TTL.
        long rateLimit = Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL, ttl / 2);
        return new JwksKeys(JWKSourceBuilder.<SecurityContext>create(url)
                .cache(ttl, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                .rateLimited(rateLimit)
                .retrying(true)
                .build(), null, false);
    }

    /**
     * The parser for JWKS files: a JSON Web Key Set whose every key has a {@code kid}.
     *
     * @throws IllegalArgumentException with the reason, if {@code text} is not one
     */
    public static JWKSet parse(String text) {
        JWKSet set;
        try {
            set = JWKSet.parse(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JSON Web Key Set: " + e.getMessage(), e);
        }
        for (JWK key : set.getKeys()) {
            if (key.getKeyID() == null || key.getKeyID().isBlank()) {
                throw new IllegalArgumentException("a " + key.getKeyType() + " key has no 'kid' (keys are chosen by kid)");
            }
        }
        return set;
    }

    /** The keys that may verify a token with this header: none without a {@code kid}. */
    List<Key> keysFor(JWSHeader header) throws KeySourceException {
        String kid = header.getKeyID();
        if (kid == null) {
            return List.of();
        }
        JWKSelector selector = new JWKSelector(new JWKMatcher.Builder().keyID(kid).build());
        List<JWK> found = source.get(selector, null);
        if (found.isEmpty() && file != null && file.checkSoon()) {
            found = source.get(selector, null); // rotated in just now
        }
        List<Key> keys = new ArrayList<>();
        for (JWK jwk : found) {
            Key key = verificationKey(jwk, header.getAlgorithm());
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    private Key verificationKey(JWK jwk, JWSAlgorithm alg) throws KeySourceException {
        if (KeyUse.ENCRYPTION.equals(jwk.getKeyUse()) || (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(alg))) {
            return null;
        }
        try {
            if (jwk instanceof RSAKey rsa && JWSAlgorithm.RS256.equals(alg)) {
                return rsa.toRSAPublicKey();
            }
            if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve()) && JWSAlgorithm.ES256.equals(alg)) {
                return ec.toECPublicKey();
            }
            if (jwk instanceof OctetSequenceKey oct && secretsAllowed && JWSAlgorithm.HS256.equals(alg)
                    && oct.toByteArray().length >= TokenKeys.MIN_SECRET_BYTES) {
                return oct.toSecretKey("HmacSHA256");
            }
        } catch (JOSEException e) {
            throw new KeySourceException("key '" + jwk.getKeyID() + "' of the JWKS is not usable", e);
        }
        return null;
    }
}
