package dev.switchboard.security;

import dev.switchboard.broker.ClientAuthenticator;
import java.security.Principal;

/**
 * The principal of a STOMP handshake that brought a ticket: the ticket was taken at the
 * handshake, and CONNECT authenticates with the token it stood for (unless CONNECT brings a token
 * of its own). As a {@link ClientAuthenticator} it ignores the token argument and checks only the
 * channel the CONNECT names against the token's {@code channels} claim, and the token's expiry and
 * revocation once more.
 */
public record TicketClient(VerifiedToken token, TokenVerifier verifier) implements Principal, ClientAuthenticator {

    @Override
    public String getName() {
        return token.subject();
    }

    @Override
    public Result authenticate(String ignored, String channelId) {
        try {
            verifier.admit(token);
        } catch (TokenRejectedException e) {
            return new Result.Refused(e.getMessage());
        }
        if (channelId != null && !token.allowsChannel(channelId)) {
            return new Result.Refused("the token does not permit this channel");
        }
        return new Result.Authenticated(token.identity(channelId));
    }
}
