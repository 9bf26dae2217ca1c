package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.TestBrokers;
import dev.switchboard.broker.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of what parses untrusted handshake input (docs/fuzzing.md): the
 * {@code X-Forwarded-*} headers ({@link ProxyTrust}), the {@code Origin} ({@link OriginPolicy}),
 * the {@code channelId} and the token ({@link TokenVerifier}), all through {@link HandshakeGuard}
 * as {@code HandshakeFilter} calls them. The query string itself is parsed by the servlet
 * container, not by us. Kept inputs: {@code HandshakeFuzzTestInputs/<method>/}.
 *
 * <p>Tokens come in three kinds, chosen by the input: raw text; a payload of fuzzed text signed
 * with the right key (so that claim parsing is reached); well-formed claims with fuzzed values.
 */
@Tag("fuzz")
class HandshakeFuzzTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-fuzz-secret";
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String PROXY = "10.0.0.1";
    private static final List<String> TRUSTED_PROXIES = List.of(PROXY, "10.0.0.2");
    private static final Set<Integer> HANDSHAKE_STATUSES = Set.of(400, 401, 403, 409, 429);

    private final TokenVerifier verifier =
            new TokenVerifier(new TokenKeys(TokenKeys.hmacSecret(SECRET), null), null, null, CLOCK);
    private final InMemoryChannelRegistry channels = new InMemoryChannelRegistry(CLOCK, Duration.ofSeconds(30));
    private final HandshakeGuard guard = new HandshakeGuard(new HandshakeRateLimiter(0, 1, CLOCK),
            new OriginPolicy(List.of("https://app.example.com", "http://localhost:8080")), verifier, TestBrokers.singleNode(channels, CLOCK),
            ChannelPolicy.REJECT, () -> true);
    private final ProxyTrust proxies = new ProxyTrust(TRUSTED_PROXIES);

    /**
     * Any token text is either verified (with a subject free of control characters and an expiry)
     * or rejected with {@link TokenRejectedException} whose reason does not quote the token: never
     * another exception, which would be a 500 instead of a 401.
     */
    @FuzzTest
    @DictionaryEntries({"eyJ", "\"alg\":\"HS256\"", "\"alg\":\"none\"", "\"sub\":", "\"exp\":", "\"nbf\":",
        "\"roles\":[", "\"channels\":[", "\"aud\":", "\"iss\":", "\"crit\":[", "\"kid\":"})
    void verifiesOrRejectsEveryToken(FuzzedDataProvider data) {
        String token = token(data);
        if (token == null) {
            return;
        }
        try {
            VerifiedToken verified = verifier.verify(token);
            assertThat(verified.subject()).isNotBlank().doesNotContain("\n", "\r", "\u0000");
            assertThat(verified.expiresAt()).isNotNull();
            assertThat(verified.roles()).doesNotContainNull();
            assertThat(verified.fingerprint()).hasSize(12);
            verified.allowsChannel(data.consumeString(40));
        } catch (TokenRejectedException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (token.length() >= 8) {
                assertThat(e.getMessage()).doesNotContain(token);
            }
        }
    }

    /**
     * Any handshake request is permitted or refused with one of the contract's statuses and a
     * message that does not quote the token; a permit is only given for a valid channel id and a
     * token that verifies, to the token's subject.
     */
    @FuzzTest
    @DictionaryEntries({"https://app.example.com", "http://localhost:8080", "null", "10.0.0.1", "10.0.0.2", ",",
        "agent-42", "desk-*", "*"})
    void everyHandshakeIsPermittedOrRefusedWithAContractStatus(FuzzedDataProvider data) {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Forwarded-For", nullable(data, 80));
        headers.put("X-Forwarded-Proto", nullable(data, 20));
        headers.put("X-Forwarded-Host", nullable(data, 40));
        String remote = data.consumeBoolean() ? PROXY : data.consumeString(40);
        String scheme = data.consumeBoolean() ? "https" : "http";
        String host = nullable(data, 40);
        String origin = nullable(data, 60);
        String channelId = nullable(data, 140);
        String token = token(data);

        ProxyTrust.ClientView client = proxies.view(remote, scheme, host, headers::get);
        if (!TRUSTED_PROXIES.contains(remote)) {
            assertThat(client).isEqualTo(new ProxyTrust.ClientView(remote, scheme, host));
        }
        assertThat(client.address()).isNotNull();
        HandshakeDecision decision = guard.check(
                new HandshakeRequest(client.address(), origin, client.scheme(), client.host(), token, channelId));

        if (decision instanceof HandshakeDecision.Refuse refuse) {
            assertThat(refuse.status()).isIn(HANDSHAKE_STATUSES);
            assertThat(refuse.error()).isNotBlank();
            assertThat(refuse.message()).isNotBlank();
            if (token != null && token.length() >= 8) {
                assertThat(refuse.message()).doesNotContain(token);
            }
        } else if (decision instanceof HandshakeDecision.Permit permit) {
            assertThat(TopicNames.isValid(channelId)).isTrue();
            VerifiedToken verified;
            try {
                verified = verifier.verify(token);
            } catch (TokenRejectedException e) {
                throw new AssertionError("permitted with a token that does not verify: " + e.getMessage(), e);
            }
            assertThat(permit.client().identity().user()).isEqualTo(verified.subject());
            assertThat(permit.client().identity().channelId()).isEqualTo(channelId);
            guard.release(permit.client());
        } else {
            fail("neither permit nor refusal: %s", decision);
        }
    }

    private static String token(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0 -> {
                return nullable(data, 600);
            }
            case 1 -> {
                return signed(data.consumeString(400));
            }
            default -> {
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
                if (data.consumeBoolean()) {
                    claims.subject(data.consumeString(30));
                }
                if (data.consumeBoolean()) {
                    claims.expirationTime(Date.from(NOW.plusSeconds(data.consumeLong(-3_600, 3_600))));
                }
                if (data.consumeBoolean()) {
                    claims.notBeforeTime(Date.from(NOW.plusSeconds(data.consumeLong(-3_600, 3_600))));
                }
                if (data.consumeBoolean()) {
                    claims.claim("channels", strings(data));
                }
                if (data.consumeBoolean()) {
                    claims.claim("roles", strings(data));
                }
                SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
                try {
                    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
                } catch (JOSEException e) {
                    throw new IllegalStateException(e);
                }
                return jwt.serialize();
            }
        }
    }

    /** A JWS with the right key over any payload text: gets past the signature to claim parsing. */
    private static String signed(String payload) {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        try {
            jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    private static List<String> strings(FuzzedDataProvider data) {
        List<String> strings = new ArrayList<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            strings.add(data.consumeString(20));
        }
        return strings;
    }

    private static String nullable(FuzzedDataProvider data, int maxLength) {
        return data.consumeBoolean() ? null : data.consumeString(maxLength);
    }
}
