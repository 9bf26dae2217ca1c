package dev.switchboard.security;

import dev.switchboard.broker.ClientAuthenticator;

/** {@link ClientAuthenticator} by token: the same verification and channel patterns as the handshake. */
public final class TokenAuthenticator implements ClientAuthenticator {

    private final TokenVerifier verifier;

    public TokenAuthenticator(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Result authenticate(String token, String channelId) {
        if (token == null || token.isBlank()) {
            return new Result.Refused("a token is required (Authorization: Bearer, passcode, or ?token=)");
        }
        VerifiedToken verified;
        try {
            verified = verifier.verify(token.trim());
        } catch (TokenRejectedException e) {
            return new Result.Refused(e.getMessage());
        }
        if (channelId != null && !verified.allowsChannel(channelId)) {
            return new Result.Refused("the token does not permit this channel");
        }
        return new Result.Authenticated(verified.identity(channelId));
    }
}
