package dev.switchboard.api;

import dev.switchboard.security.ApiAuthenticator;
import dev.switchboard.security.ApiRateLimit;
import dev.switchboard.security.JsonResponseWriter;
import dev.switchboard.security.ProxyTrust;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * What every request to the HTTP API passes before its servlet acts: authentication (API key or
 * admin token: 401, 403) and the per-caller request rate (429 with {@code Retry-After};
 * docs/security.md "Limits"). One home for both, so the API's servlets count and refuse alike.
 * Thread safe.
 */
public final class ApiGate {

    private final ApiAuthenticator authenticator;
    private final ApiRateLimit rateLimit;
    private final ProxyTrust proxies;
    private final JsonResponseWriter responses;

    public ApiGate(ApiAuthenticator authenticator, ApiRateLimit rateLimit, ProxyTrust proxies,
            JsonResponseWriter responses) {
        this.authenticator = authenticator;
        this.rateLimit = rateLimit;
        this.proxies = proxies;
        this.responses = responses;
    }

    /**
     * Authenticates an operator's request and counts it against its caller's rate (an
     * unauthenticated one against its address, so that guessing keys is limited too).
     *
     * @return the caller's principal, or empty once the refusal has been written
     */
    Optional<String> admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApiAuthenticator.Outcome auth = authenticator.authenticate(request.getHeader("Authorization"));
        if (auth instanceof ApiAuthenticator.Outcome.Allowed allowed) {
            return withinCallerRate(allowed.principal(), response) ? Optional.of(allowed.principal()) : Optional.empty();
        }
        if (withinAddressRate(request, response)) {
            ApiAuthenticator.Outcome.Refused refused = (ApiAuthenticator.Outcome.Refused) auth;
            responses.writeError(response, refused.status(), refused.error(), refused.message());
        }
        return Optional.empty();
    }

    /** Counts a request made as {@code caller}; false once the 429 has been written. */
    boolean withinCallerRate(String caller, HttpServletResponse response) throws IOException {
        return rateLimit.allowCaller(caller) || tooManyRequests(response);
    }

    /** Counts a request that did not authenticate, by its client address; false once the 429 has been written. */
    boolean withinAddressRate(HttpServletRequest request, HttpServletResponse response) throws IOException {
        return rateLimit.allowAddress(clientAddress(request)) || tooManyRequests(response);
    }

    /** The client's address, as a trusted proxy may have forwarded it. */
    private String clientAddress(HttpServletRequest request) {
        return proxies.view(request.getRemoteAddr(), request.getScheme(), request.getHeader("Host"),
                request::getHeader).address();
    }

    private boolean tooManyRequests(HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", Long.toString(rateLimit.retryAfterSeconds()));
        responses.writeError(response, 429, "rate_limited", "too many API requests; retry after "
                + rateLimit.retryAfterSeconds() + " s");
        return false;
    }
}
