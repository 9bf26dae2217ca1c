package dev.switchboard.examples.callcentre;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Mints the tokens Switchboard checks, signed with its own HS256 secret
 * ({@code SWITCHBOARD_JWT_SECRET}, read from the same system property, environment variable or
 * {@code SWITCHBOARD_CONFIG} file as Switchboard reads it), as docs/protocol.md "Tokens" shows.
 *
 * <p>DEMO ONLY: a real application mints tokens after its own sign-in (or has its identity
 * provider issue them) and never hands the signing secret to a web tier it does not trust.
 */
@ApplicationScoped
public class DemoTokens {

    static final Duration LIFETIME = Duration.ofHours(8);

    private final Optional<byte[]> secret;
    private final Clock clock = Clock.systemUTC();

    public DemoTokens() {
        this.secret = Settings.fromProcess().get("jwt.secret").map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a secret is configured (with a public key or a JWKS, this class cannot sign). */
    public boolean available() {
        return secret.isPresent();
    }

    /** A token for {@code user} that may open only the channels matching {@code channels}. */
    public String mint(String user, List<String> channels) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user)
                .claim("channels", channels)
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.orElseThrow(() -> new IllegalStateException("no SWITCHBOARD_JWT_SECRET"))));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a demo token", e);
        }
        return jwt.serialize();
    }
}
