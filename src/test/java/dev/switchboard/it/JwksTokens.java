package dev.switchboard.it;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.websocket.DeploymentException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Tokens signed with keys of a JWKS, as an identity provider mints them (RS256 with a {@code kid}),
 * and the forgeries an attacker tries against such a server.
 */
final class JwksTokens {

    private JwksTokens() {
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public JWKS of {@code keys}, as an issuer publishes it. */
    static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    }

    static String rs256(RSAKey key, String user) {
        try {
            return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims(user),
                    new RSASSASigner(key));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Algorithm confusion: HS256 "signed" with the bytes of {@code key}'s public key, naming its kid. */
    static String hs256WithPublicKeyBytes(RSAKey key, String user) {
        try {
            byte[] secret = key.toRSAPublicKey().getEncoded();
            return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), claims(user),
                    new MACSigner(secret));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}) naming {@code key}'s kid. */
    static String unsigned(RSAKey key, String user) {
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + key.getKeyID() + "\"}").toString();
        return header + "." + Base64URL.encode(claims(user).toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static JWTClaimsSet claims(String user) {
        return new JWTClaimsSet.Builder().subject(user)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build();
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** The handshake's answer to {@code token} on channel {@code channelId}: 101 when it opened (then closed), else the refusal's status. */
    static int handshakeStatus(ServerProcess server, String token, String channelId) throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, token, channelId)) {
            client.expect("welcome");
            return 101;
        } catch (DeploymentException e) {
            return ChannelClient.refusalStatusOf(e);
        }
    }
}
