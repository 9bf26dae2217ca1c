package dev.switchboard.bench.tyrus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;

/**
 * HS256 token check (signature and {@code exp}) with the secret from {@code -Dbench.jwt.secret},
 * as a bare application would do it, so the handshake-rate scenario compares like with like.
 * Thread safe: {@link MACVerifier} is.
 */
final class TokenVerifier {

    private final MACVerifier verifier;

    TokenVerifier() {
        try {
            verifier = new MACVerifier(System.getProperty("bench.jwt.secret", "").getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalStateException("bench.jwt.secret must be at least 32 bytes", e);
        }
    }

    /** The token's subject, or null if the token is missing, forged or expired. */
    String subject(String token) {
        if (token == null) {
            return null;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            Date expiry = jwt.getJWTClaimsSet().getExpirationTime();
            return jwt.verify(verifier) && expiry != null && expiry.after(new Date())
                    ? jwt.getJWTClaimsSet().getSubject() : null;
        } catch (ParseException | JOSEException e) {
            return null;
        }
    }
}
