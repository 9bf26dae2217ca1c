package dev.switchboard.session;

import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;

/**
 * The checks of an in-band token refresh, the same on every protocol (docs/protocol.md, Token lifecycle): the
 * new token passes everything the handshake checks (signature, times, issuer and audience,
 * revocation, and that its {@code channels} allow the session's channel) and names the same user.
 * What the session does with the outcome is the protocol's: native answers {@code refreshed} or
 * an {@code error}, STOMP a RECEIPT or an ERROR.
 */
final class TokenRefresh {

    /** The outcome: the session's identity from now on, or why the token is refused (client-safe, never the token). */
    sealed interface Outcome {
        record Accepted(ClientIdentity identity) implements Outcome {
        }

        record Refused(String reason) implements Outcome {
        }
    }

    private TokenRefresh() {
    }

    /**
     * Checks {@code token} as the successor of {@code current}'s. The identity of an accepted
     * token keeps the session's channel; roles, token id and expiry are the new token's.
     */
    static Outcome check(SessionTokens tokens, ClientIdentity current, String token) {
        if (token == null || token.isBlank()) {
            return new Outcome.Refused("refresh needs a token");
        }
        ClientAuthenticator.Result result = tokens.authenticator().authenticate(token.trim(), current.channelId());
        if (result instanceof ClientAuthenticator.Result.Refused refused) {
            return new Outcome.Refused(refused.reason());
        }
        ClientIdentity renewed = ((ClientAuthenticator.Result.Authenticated) result).identity();
        if (!renewed.user().equals(current.user())) {
            return new Outcome.Refused("the new token is for another user");
        }
        return new Outcome.Accepted(renewed);
    }
}
