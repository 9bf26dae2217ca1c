package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class TokenKeysTest {

    @Test
    void secretOfAtLeast32BytesBecomesAnHmacKey() {
        SecretKey key = TokenKeys.hmacSecret("x".repeat(32));

        assertThat(key.getAlgorithm()).isEqualTo("HmacSHA256");
        assertThat(key.getEncoded()).hasSize(32);
    }

    @Test
    void secretShorterThan32BytesIsRefused() {
        assertThatThrownBy(() -> TokenKeys.hmacSecret("x".repeat(31)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET")
                .hasMessageContaining("32");
    }

    @Test
    void secretLengthIsCountedInUtf8BytesNotCharacters() {
        // 16 characters of two UTF-8 bytes each: 32 bytes.
        assertThat(TokenKeys.hmacSecret("é".repeat(16)).getEncoded()).hasSize(32);
        assertThatThrownBy(() -> TokenKeys.hmacSecret("é".repeat(15) + "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rsaPublicKeyIsParsedFromPem() {
        KeyPair pair = TokenVerifierTest.generate("RSA", null);

        PublicKey parsed = TokenKeys.publicKeyFromPem(pem(pair.getPublic()));

        assertThat(parsed).isInstanceOf(RSAPublicKey.class).isEqualTo(pair.getPublic());
    }

    @Test
    void ecPublicKeyIsParsedFromPem() {
        KeyPair pair = TokenVerifierTest.generate("EC", "secp256r1");

        PublicKey parsed = TokenKeys.publicKeyFromPem(pem(pair.getPublic()));

        assertThat(parsed).isInstanceOf(ECPublicKey.class).isEqualTo(pair.getPublic());
    }

    @Test
    void pemWithWindowsLineEndingsAndSurroundingBlankLinesIsParsed() {
        KeyPair pair = TokenVerifierTest.generate("EC", "secp256r1");
        String pem = "\r\n" + pem(pair.getPublic()).replace("\n", "\r\n") + "\r\n\r\n";

        assertThat(TokenKeys.publicKeyFromPem(pem)).isEqualTo(pair.getPublic());
    }

    @Test
    void pemThatIsNotBase64IsRefused() {
        assertThatThrownBy(() -> TokenKeys.publicKeyFromPem(
                "-----BEGIN PUBLIC KEY-----\n***not base64***\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_JWT_PUBLIC_KEY");
    }

    @Test
    void pemThatHoldsNoPublicKeyIsRefused() {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getEncoder().encodeToString("definitely not DER".getBytes()) + "\n-----END PUBLIC KEY-----\n";

        assertThatThrownBy(() -> TokenKeys.publicKeyFromPem(pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither an RSA nor an EC public key");
    }

    @Test
    void keysWithNeitherSecretNorPublicKeyAreRefused() {
        assertThatThrownBy(() -> new TokenKeys(null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET")
                .hasMessageContaining("SWITCHBOARD_JWT_PUBLIC_KEY");
    }

    @Test
    void eitherKeyAloneIsEnough() {
        KeyPair pair = TokenVerifierTest.generate("EC", "secp256r1");

        assertThat(new TokenKeys(TokenKeys.hmacSecret("s".repeat(32)), null).publicKey()).isNull();
        assertThat(new TokenKeys(null, pair.getPublic()).hmacSecret()).isNull();
    }

    /** PEM-encodes a public key as OpenSSL writes it: 64-character lines. */
    static String pem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }
}
