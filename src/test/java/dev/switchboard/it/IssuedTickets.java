package dev.switchboard.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Tickets and revocations as a backend or a browser would ask for them, and tokens with a {@code jti}. */
final class IssuedTickets {

    private IssuedTickets() {
    }

    /** A token of {@code user} with {@code jti}, valid for an hour. */
    static String tokenWithId(String user, String jti) {
        return sign(new JWTClaimsSet.Builder().subject(user).jwtID(jti)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build());
    }

    /** A token of {@code user} that expires {@code lasting} from now. */
    static String tokenLasting(String user, Duration lasting) {
        return sign(new JWTClaimsSet.Builder().subject(user)
                .expirationTime(Date.from(Instant.now().plus(lasting))).build());
    }

    /** {@code POST /api/v1/tickets} with {@code token} as the Bearer; must be 201. */
    static String ticket(ServerProcess server, String token) throws IOException, InterruptedException {
        HttpApi.Response issued = new HttpApi(server, token).post("/api/v1/tickets", "");
        if (issued.status() != 201) {
            throw new AssertionError("ticket not issued: " + issued.status() + " " + issued.body());
        }
        return issued.json().getString("ticket");
    }

    /** {@code POST /api/v1/revocations} with the API key; must be 201. Returns the revocation. */
    static JsonObject revoke(ServerProcess server, String json) throws IOException, InterruptedException {
        HttpApi.Response made = HttpApi.withApiKey(server).post("/api/v1/revocations", json);
        if (made.status() != 201) {
            throw new AssertionError("revocation not made: " + made.status() + " " + made.body());
        }
        return made.json();
    }

    private static String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
