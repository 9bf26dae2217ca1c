package dev.switchboard.security;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys tokens are verified with: an HS256 shared secret, a public key for RS256 (RSA) or
 * ES256 (EC P-256), a JWKS whose keys are chosen by {@code kid}, or any of them together. At
 * least one must be present.
 */
public record TokenKeys(SecretKey hmacSecret, PublicKey publicKey, JwksKeys jwks) {

    /** Shortest accepted HS256 secret (RFC 7518 section 3.2: at least the hash size). */
    public static final int MIN_SECRET_BYTES = 32;

    public TokenKeys {
        if (hmacSecret == null && publicKey == null && jwks == null) {
            throw new IllegalArgumentException("No token key configured: set SWITCHBOARD_JWT_SECRET (HS256, >= 32 bytes),"
                    + " SWITCHBOARD_JWT_PUBLIC_KEY (PEM file, RS256/ES256) or SWITCHBOARD_JWT_JWKS (JWKS file or URL)");
        }
    }

    /** Keys without a JWKS. */
    public TokenKeys(SecretKey hmacSecret, PublicKey publicKey) {
        this(hmacSecret, publicKey, null);
    }

    /** An HS256 secret from its UTF-8 text. */
    public static SecretKey hmacSecret(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("SWITCHBOARD_JWT_SECRET must be at least " + MIN_SECRET_BYTES
                    + " bytes, it has " + bytes.length + "; set a random one, e.g. the output of: openssl rand -base64 32");
        }
        return new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** An RSA or EC public key from a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) block. */
    public static PublicKey publicKeyFromPem(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SWITCHBOARD_JWT_PUBLIC_KEY is not a PEM PUBLIC KEY block; set it to a"
                    + " file holding one (-----BEGIN PUBLIC KEY-----)", e);
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // not this algorithm; try the next
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("JDK lacks " + algorithm, e);
            }
        }
        throw new IllegalArgumentException("SWITCHBOARD_JWT_PUBLIC_KEY holds neither an RSA nor an EC public key;"
                + " set it to the PEM public key of the RS256 or ES256 key pair that signs the tokens");
    }
}
