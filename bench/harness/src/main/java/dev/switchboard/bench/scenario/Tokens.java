package dev.switchboard.bench.scenario;

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

/** HS256 tokens as a backend would mint them (as the integration tests' TestTokens do). */
public final class Tokens {

    private final MACSigner signer;

    public Tokens(String secret) {
        try {
            signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes", e);
        }
    }

    public String token(String user, String... roles) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(user)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2))));
        if (roles.length > 0) {
            claims.claim("roles", List.of(roles));
        }
        return sign(claims);
    }

    /** A token for one user that may open only {@code channel} (the {@code channels} claim), no roles. */
    public String channelToken(String user, String channel) {
        return sign(new JWTClaimsSet.Builder().subject(user).claim("channels", List.of(channel))
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2)))));
    }

    private String sign(JWTClaimsSet.Builder claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
