package dev.switchboard.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Tokens as a backend would mint them, signed with the secret the test servers are started with. */
final class TestTokens {

    static final String SECRET = "integration-test-secret-0123456789-abcdefghij";
    static final String API_KEY = "integration-test-api-key";

    private TestTokens() {
    }

    static String token(String user, String... roles) {
        return sign(SECRET, claims(user, List.of(roles), null, Instant.now().plus(Duration.ofHours(1))));
    }

    static String tokenForChannels(String user, List<String> channels) {
        return sign(SECRET, claims(user, List.of(), channels, Instant.now().plus(Duration.ofHours(1))));
    }

    static String expiredToken(String user) {
        return sign(SECRET, claims(user, List.of(), null, Instant.now().minus(Duration.ofMinutes(5))));
    }

    static String tokenExpiringAt(String user, Instant expiry) {
        return sign(SECRET, claims(user, List.of(), null, expiry));
    }

    static String tokenSignedWith(String secret, String user) {
        return sign(secret, claims(user, List.of(), null, Instant.now().plus(Duration.ofHours(1))));
    }

    /** {@code claims} exactly as given, signed HS256 with the test secret: for tokens with {@code aud}, {@code iss} or odd claims. */
    static String signed(JWTClaimsSet claims) {
        return sign(SECRET, claims);
    }

    /** Claims for {@code user} with an hour to live, to be completed by the caller. */
    static JWTClaimsSet.Builder claimsFor(String user) {
        return new JWTClaimsSet.Builder().subject(user).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    private static JWTClaimsSet claims(String user, List<String> roles, List<String> channels, Instant expiry) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(user).expirationTime(Date.from(expiry));
        if (!roles.isEmpty()) {
            builder.claim("roles", roles);
        }
        if (channels != null) {
            builder.claim("channels", channels);
        }
        return builder.build();
    }

    private static String sign(String secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
