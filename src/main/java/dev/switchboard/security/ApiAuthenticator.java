package dev.switchboard.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the HTTP API's {@code Authorization: Bearer ...} (docs/http-api.md): the configured
 * API key, or a token with role {@code admin}. Thread safe.
 */
public final class ApiAuthenticator {

    /** The outcome: allowed, or refused with 401 (no or bad credentials) or 403 (too little). */
    public sealed interface Outcome {
        record Allowed(String principal) implements Outcome {
        }

        record Refused(int status, String error, String message) implements Outcome {
        }
    }

    private static final String BEARER = "bearer ";

    private final byte[] apiKey;
    private final TokenVerifier tokenVerifier;

    /** {@code apiKey} may be null: then only admin tokens are accepted. */
    public ApiAuthenticator(String apiKey, TokenVerifier tokenVerifier) {
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.tokenVerifier = tokenVerifier;
    }

    public Outcome authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return new Outcome.Refused(401, "unauthorized", "Authorization: Bearer <api key or admin token> required");
        }
        String credential = authorizationHeader.substring(BEARER.length()).trim();
        if (apiKey != null && MessageDigest.isEqual(apiKey, credential.getBytes(StandardCharsets.UTF_8))) {
            return new Outcome.Allowed("api-key");
        }
        VerifiedToken token;
        try {
            token = tokenVerifier.verify(credential);
        } catch (TokenRejectedException e) {
            return new Outcome.Refused(401, "unauthorized", "invalid API key or token: " + e.getMessage());
        }
        if (!token.hasRole(VerifiedToken.ROLE_ADMIN)) {
            return new Outcome.Refused(403, "forbidden", "the token lacks role admin");
        }
        return new Outcome.Allowed(token.subject());
    }
}
