package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    private static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210-other-secret";

    private static final KeyPair RSA = generate("RSA", null);
    private static final KeyPair EC = generate("EC", "secp256r1");

    private final MutableClock clock = MutableClock.atFixedInstant();

    private TokenVerifier hmacVerifier() {
        return verifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, null);
    }

    private TokenVerifier verifier(TokenKeys keys, String issuer, String audience) {
        return new TokenVerifier(keys, issuer, audience, clock);
    }

    private JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject("alice").expirationTime(at(clock.instant().plusSeconds(300)));
    }

    @Test
    void validHs256TokenIsAcceptedWithItsClaims() throws Exception {
        String token = hs256(SECRET, claims().build());

        VerifiedToken verified = hmacVerifier().verify(token);

        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.expiresAt()).isEqualTo(clock.instant().plusSeconds(300));
        assertThat(verified.roles()).isEmpty();
        assertThat(verified.channels()).isNull();
        assertThat(verified.fingerprint()).isEqualTo(TokenVerifier.fingerprint(token)).hasSize(12)
                .doesNotContain(token);
    }

    @Test
    void tokenSignedWithAnotherSecretIsRejected() {
        String token = hs256(OTHER_SECRET, claims().build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void tokenWithTamperedPayloadIsRejected() {
        String token = hs256(SECRET, claims().claim("roles", List.of()).build());
        String[] parts = token.split("\\.");
        String forgedPayload = base64Url(claims().claim("roles", List.of("admin")).build().toString());
        String tampered = parts[0] + "." + forgedPayload + "." + parts[2];

        assertThatThrownBy(() -> hmacVerifier().verify(tampered)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void textThatIsNotAJwtIsRejected() {
        assertThatThrownBy(() -> hmacVerifier().verify("not-a-token")).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token is not a JWT");
    }

    @Test
    void tokenExpiredBeyondTheClockSkewIsRejected() {
        String token = hs256(SECRET, claims().expirationTime(at(clock.instant())).build());
        clock.advance(Duration.ofSeconds(TokenVerifier.CLOCK_SKEW_SECONDS + 1));

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token expired");
    }

    @Test
    void tokenExpiredWithinTheClockSkewIsAccepted() throws Exception {
        Instant expiry = clock.instant();
        String token = hs256(SECRET, claims().expirationTime(at(expiry)).build());
        clock.set(expiry.plusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS - 1));

        assertThat(hmacVerifier().verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void tokenNotYetValidBeyondTheClockSkewIsRejected() {
        String token = hs256(SECRET, claims()
                .notBeforeTime(at(clock.instant().plusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS + 1))).build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token not yet valid");
    }

    @Test
    void unsignedTokenWithAlgNoneIsRejected() {
        String token = new PlainJWT(claims().build()).serialize();

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("unsigned tokens are not accepted");
    }

    @Test
    void validRs256TokenIsAcceptedWithAnRsaPublicKey() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(null, RSA.getPublic()), null, null);
        String token = sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, claims().build());

        assertThat(verifier.verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void rs256TokenSignedWithAnotherRsaKeyIsRejected() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(null, RSA.getPublic()), null, null);
        KeyPair other = generate("RSA", null);
        String token = sign(new RSASSASigner(other.getPrivate()), JWSAlgorithm.RS256, claims().build());

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void validEs256TokenIsAcceptedWithAnEcP256PublicKey() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(null, EC.getPublic()), null, null);
        String token = sign(new ECDSASigner((ECPrivateKey) EC.getPrivate()), JWSAlgorithm.ES256, claims().build());

        assertThat(verifier.verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void hs256TokenIsRejectedWhenOnlyAnRsaKeyIsConfigured() {
        TokenVerifier verifier = verifier(new TokenKeys(null, RSA.getPublic()), null, null);
        // The classic confusion attack: HMAC keyed with the public key's bytes.
        String token = hs256Raw(RSA.getPublic().getEncoded(), claims().build());

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenRejectedException.class);
        assertThatThrownBy(() -> verifier.verify(hs256(SECRET, claims().build())))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void rs256TokenIsRejectedWhenOnlyASecretIsConfigured() throws Exception {
        String token = sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, claims().build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void es256TokenIsRejectedWhenOnlyAnRsaKeyIsConfigured() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(null, RSA.getPublic()), null, null);
        String token = sign(new ECDSASigner((ECPrivateKey) EC.getPrivate()), JWSAlgorithm.ES256, claims().build());

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void bothKindsOfTokenAreAcceptedWhenASecretAndAPublicKeyAreConfigured() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), RSA.getPublic()), null, null);

        assertThat(verifier.verify(hs256(SECRET, claims().build())).subject()).isEqualTo("alice");
        assertThat(verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, claims().build()))
                .subject()).isEqualTo("alice");
    }

    @Test
    void tokenWithoutSubjectIsRejectedForTheMissingClaim() {
        String token = hs256(SECRET, new JWTClaimsSet.Builder()
                .expirationTime(at(clock.instant().plusSeconds(300))).build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token lacks a required claim (sub, exp)");
    }

    @Test
    void tokenWhoseSubjectHasALineBreakIsRejected() throws Exception {
        String token = hs256(SECRET, claims().subject("alice\nuser-name:mallory").build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining("control characters");
    }

    @Test
    void tokenWithAnEmptySubjectIsRejectedForTheMissingClaim() {
        String token = hs256(SECRET, claims().subject("").build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token lacks a required claim (sub, exp)");
    }

    @Test
    void tokenWithoutExpiryIsRejectedForTheMissingClaim() {
        String token = hs256(SECRET, new JWTClaimsSet.Builder().subject("alice").build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("token lacks a required claim (sub, exp)");
    }

    @Test
    void issuerIsNotCheckedWhenNoneIsConfigured() throws Exception {
        String token = hs256(SECRET, claims().issuer("anyone").build());

        assertThat(hmacVerifier().verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void configuredIssuerMustMatch() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), "https://idp.example",
                null);

        assertThat(verifier.verify(hs256(SECRET, claims().issuer("https://idp.example").build())).subject())
                .isEqualTo("alice");
        assertThatThrownBy(() -> verifier.verify(hs256(SECRET, claims().issuer("https://evil.example").build())))
                .isInstanceOf(TokenRejectedException.class).hasMessage("token issuer or audience not accepted");
        assertThatThrownBy(() -> verifier.verify(hs256(SECRET, claims().build())))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void audienceIsNotCheckedWhenNoneIsConfigured() throws Exception {
        String token = hs256(SECRET, claims().audience("someone-else").build());

        assertThat(hmacVerifier().verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void configuredAudienceMustBeAmongTheTokensAudiences() throws Exception {
        TokenVerifier verifier = verifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, "switchboard");

        assertThat(verifier.verify(hs256(SECRET, claims().audience(List.of("other", "switchboard")).build()))
                .subject()).isEqualTo("alice");
        assertThatThrownBy(() -> verifier.verify(hs256(SECRET, claims().audience("other").build())))
                .isInstanceOf(TokenRejectedException.class).hasMessage("token issuer or audience not accepted");
        assertThatThrownBy(() -> verifier.verify(hs256(SECRET, claims().build())))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void rolesAndChannelsClaimsAreRead() throws Exception {
        String token = hs256(SECRET, claims().claim("roles", List.of("publisher", "admin"))
                .claim("channels", List.of("agent-42", "desk-*")).build());

        VerifiedToken verified = hmacVerifier().verify(token);

        assertThat(verified.roles()).containsExactlyInAnyOrder("publisher", "admin");
        assertThat(verified.hasRole(VerifiedToken.ROLE_PUBLISHER)).isTrue();
        assertThat(verified.hasRole(VerifiedToken.ROLE_ADMIN)).isTrue();
        assertThat(verified.channels()).containsExactly("agent-42", "desk-*");
    }

    @Test
    void rolesClaimThatIsNotAnArrayIsRejected() {
        String token = hs256(SECRET, claims().claim("roles", "admin").build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("claims 'roles' and 'channels' must be arrays of strings");
    }

    @Test
    void channelsClaimWithANonStringElementIsRejected() {
        String token = hs256(SECRET, claims().claim("channels", List.of("desk-*", 7)).build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessage("claims 'roles' and 'channels' must be arrays of strings");
    }

    @Test
    void stringAndStringListClaimsReachTheIdentityForRulesAndOthersDoNot() throws Exception {
        String token = hs256(SECRET, claims().claim("tenant", "acme").claim("groups", List.of("a", "b"))
                .claim("level", 3).claim("mixed", List.of("a", 1)).claim("long", "x".repeat(257))
                .claim("roles", List.of("publisher")).build());

        var identity = hmacVerifier().verify(token).identity("desk-1");

        assertThat(identity.claims()).containsOnlyKeys("tenant", "groups");
        assertThat(identity.claim("tenant")).containsExactly("acme");
        assertThat(identity.claim("groups")).containsExactly("a", "b");
        assertThat(identity.claim("level")).isEmpty();
        assertThat(identity.roles()).containsExactly("publisher");
    }

    @Test
    void rejectionReasonNeverContainsTheToken() {
        String token = hs256(OTHER_SECRET, claims().build());

        assertThatThrownBy(() -> hmacVerifier().verify(token)).isInstanceOf(TokenRejectedException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
    }

    // --- helpers ---

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefused() throws Exception {
        TokenVerifier verifier = new TokenVerifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, null,
                clock, java.time.Duration.ofHours(24), null);
        String fits = hs256(SECRET, claims().expirationTime(at(clock.instant().plusSeconds(24 * 3600))).build());
        String tooLong = hs256(SECRET, claims().expirationTime(at(clock.instant().plusSeconds(24 * 3600 + 31))).build());

        assertThat(verifier.verify(fits).subject()).isEqualTo("alice");
        assertThatThrownBy(() -> verifier.verify(tooLong)).isInstanceOf(TokenRejectedException.class)
                .hasMessage(TokenVerifier.LIFETIME_TOO_LONG);
    }

    @Test
    void aRevokedUserOrTokenIsRefused() throws Exception {
        dev.switchboard.broker.InMemoryRevocationList revocations = new dev.switchboard.broker.InMemoryRevocationList(clock);
        TokenVerifier verifier = new TokenVerifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, null,
                clock, null, revocations);
        String token = hs256(SECRET, claims().jwtID("jti-1").build());
        String otherToken = hs256(SECRET, claims().jwtID("jti-2").build());
        revocations.add(new dev.switchboard.broker.Revocation("rv-1", dev.switchboard.broker.Revocation.Kind.JTI,
                "jti-1", clock.instant().plusSeconds(600), clock.instant()));

        assertThatThrownBy(() -> verifier.verify(token)).hasMessage(TokenVerifier.REVOKED);
        assertThat(verifier.verify(otherToken).tokenId()).isEqualTo("jti-2");

        revocations.add(new dev.switchboard.broker.Revocation("rv-2", dev.switchboard.broker.Revocation.Kind.USER,
                "alice", clock.instant().plusSeconds(600), clock.instant()));
        assertThatThrownBy(() -> verifier.verify(otherToken)).hasMessage(TokenVerifier.REVOKED);
    }

    private static Date at(Instant instant) {
        return Date.from(instant);
    }

    private static String hs256(String secret, JWTClaimsSet claims) {
        return hs256Raw(secret.getBytes(StandardCharsets.UTF_8), claims);
    }

    private static String hs256Raw(byte[] secret, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret), JWSAlgorithm.HS256, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static KeyPair generate(String algorithm, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
