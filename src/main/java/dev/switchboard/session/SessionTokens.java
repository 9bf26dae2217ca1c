package dev.switchboard.session;

import dev.switchboard.broker.ClientAuthenticator;
import java.time.Duration;
import java.util.Objects;

/**
 * How sessions of every protocol check tokens after the handshake: the authenticator that verifies
 * a STOMP CONNECT's token and every in-band refresh (the same checks as the handshake, revocation
 * included), and how long before a token's {@code exp} the session tells its client that the
 * token is expiring. One per application.
 *
 * @param authenticator  verifies a token and that it permits a channel
 * @param expiringNotice how long before {@code exp} the {@code expiring} notice goes out
 */
public record SessionTokens(ClientAuthenticator authenticator, Duration expiringNotice) {

    public SessionTokens {
        Objects.requireNonNull(authenticator, "authenticator");
        if (expiringNotice.isNegative()) {
            throw new IllegalArgumentException("expiringNotice must not be negative");
        }
    }
}
