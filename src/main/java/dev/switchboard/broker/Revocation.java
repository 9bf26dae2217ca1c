package dev.switchboard.broker;

import java.time.Instant;
import java.util.Objects;

/**
 * One revocation (docs/security.md, Revocation): every token of a user, or one token by its {@code jti},
 * is refused until {@code until}, and the sessions it authenticated are closed with
 * {@link CloseCode#REVOKED}.
 *
 * @param id        opaque, unique; how the revocation is listed and lifted
 * @param kind      whether {@code value} is a user ({@code sub}) or a token id ({@code jti})
 * @param value     the user or the token id
 * @param until     when the revocation stops counting (exclusive)
 * @param createdAt when it was made
 */
public record Revocation(String id, Kind kind, String value, Instant until, Instant createdAt) {

    /** What a revocation names; {@link #field()} is its name in the API and on the wire. */
    public enum Kind {
        USER("user"), JTI("jti");

        private final String field;

        Kind(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public Revocation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether this revocation still counts at {@code now}. */
    public boolean activeAt(Instant now) {
        return now.isBefore(until);
    }

    /** Whether it names the user {@code user} or the token {@code tokenId} (either may be null). */
    public boolean covers(String user, String tokenId) {
        return kind == Kind.USER ? value.equals(user) : value.equals(tokenId);
    }
}
