package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens verified with the keys of a JWKS file: chosen by kid, the algorithm following the key. */
class JwksKeysTest {

    private static final RSAKey RSA_1 = generateRsa("rsa-1");
    private static final RSAKey RSA_2 = generateRsa("rsa-2");

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atFixedInstant();
    private Path jwksFile;
    private ReloadingFile<JWKSet> file;
    private TokenVerifier verifier;

    @BeforeEach
    void startWithRsa1() throws Exception {
        jwksFile = dir.resolve("jwks.json");
        write(RSA_1);
        file = ReloadingFile.open("SWITCHBOARD_JWT_JWKS", jwksFile, JwksKeys::parse, clock, Duration.ofSeconds(1));
        verifier = new TokenVerifier(new TokenKeys(null, null, JwksKeys.fromFile(file)), null, null, clock);
    }

    private void write(JWK... keys) throws Exception {
        // The file holds private keys too, as an issuer's own JWKS would: only the public parts are used.
        Files.writeString(jwksFile, new JWKSet(List.of(keys)).toString(false));
    }

    @Test
    void aTokenSignedWithTheKeyOfItsKidIsAccepted() throws Exception {
        assertThat(verifier.verify(sign(RSA_1.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner(RSA_1))).subject())
                .isEqualTo("alice");
    }

    @Test
    void aTokenWithoutKidOrWithAnUnknownKidIsRefused() throws Exception {
        assertThatThrownBy(() -> verifier.verify(sign(null, JWSAlgorithm.RS256, new RSASSASigner(RSA_1))))
                .isInstanceOf(TokenRejectedException.class);
        assertThatThrownBy(() -> verifier.verify(sign("nobody", JWSAlgorithm.RS256, new RSASSASigner(RSA_1))))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void aRotatedKeyIsTakenOnItsFirstTokenAndTheRemovedKeyIsRefused() throws Exception {
        write(RSA_2);

        // No poll ran: the unknown kid makes the file be read again.
        assertThat(verifier.verify(sign(RSA_2.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner(RSA_2))).subject())
                .isEqualTo("alice");
        assertThatThrownBy(() -> verifier.verify(sign(RSA_1.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner(RSA_1))))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void aKidSignedWithAnotherKeyIsRefused() throws Exception {
        write(RSA_1, RSA_2);
        file.check();

        assertThatThrownBy(() -> verifier.verify(sign(RSA_1.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner(RSA_2))))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token signature or algorithm not accepted");
    }

    @Test
    void anRsaPublicKeyUsedAsAnHs256SecretIsRefused() throws Exception {
        // Algorithm confusion: the attacker knows the public key and signs HS256 with its bytes.
        byte[] publicKeyDer = RSA_1.toRSAPublicKey().getEncoded();
        byte[] publicJwkJson = RSA_1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        for (byte[] secret : List.of(publicKeyDer, publicJwkJson)) {
            String forged = sign(RSA_1.getKeyID(), JWSAlgorithm.HS256, new MACSigner(secret));
            assertThatThrownBy(() -> verifier.verify(forged))
                    .isInstanceOf(TokenRejectedException.class)
                    .hasMessage("token signature or algorithm not accepted");
        }
    }

    @Test
    void anUnsignedTokenNamingAKnownKidIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
        String payload = Base64URL.encode(claims().toString()).toString();

        assertThatThrownBy(() -> verifier.verify(header + "." + payload + "."))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("unsigned tokens are not accepted");
    }

    @Test
    void anEcP256KeyVerifiesEs256AndAnOctKeyHs256() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        OctetSequenceKey oct = new OctetSequenceKeyGenerator(256).keyID("oct-1").generate();
        write(ec, oct);
        file.check();

        assertThat(verifier.verify(sign("ec-1", JWSAlgorithm.ES256, new ECDSASigner(ec))).subject()).isEqualTo("alice");
        assertThat(verifier.verify(sign("oct-1", JWSAlgorithm.HS256, new MACSigner(oct))).subject()).isEqualTo("alice");
        // ... and nothing else: the EC key does not verify an HS256 token made with its public bytes.
        String confused = sign("ec-1", JWSAlgorithm.HS256,
                new MACSigner(ec.toECPublicKey().getEncoded().length >= 32 ? ec.toECPublicKey().getEncoded()
                        : new byte[32]));
        assertThatThrownBy(() -> verifier.verify(confused)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void aKeyWhoseAlgIsSetVerifiesThatAlgorithmOnly() throws Exception {
        RSAKey rs384Only = new RSAKey.Builder(RSA_1).algorithm(JWSAlgorithm.RS384).build();
        write(rs384Only);
        file.check();

        assertThatThrownBy(() -> verifier.verify(sign(RSA_1.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner(RSA_1))))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void aJwksWithAKeyWithoutKidOrThatIsNotJsonDoesNotParse() {
        assertThatThrownBy(() -> JwksKeys.parse(new JWKSet(RSA_1.toPublicJWK()).toString().replace("\"kid\"", "\"x\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no 'kid'");
        assertThatThrownBy(() -> JwksKeys.parse("{\"keys\": ["))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a JSON Web Key Set");
    }

    private JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().subject("alice")
                .expirationTime(Date.from(clock.instant().plusSeconds(300))).build();
    }

    private String sign(String kid, JWSAlgorithm alg, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
