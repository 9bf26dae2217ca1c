package dev.switchboard.security;

import dev.switchboard.broker.TicketStore;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;


/**
 * Connection tickets (docs/security.md, Connection tickets): a short-lived, single-use stand-in for a token in a
 * WebSocket or SockJS URL, so that the token itself never sits in a URL (and so in proxy logs). A
 * ticket is 256 random bits, URL-safe base64 without padding (43 characters); it carries the
 * verified token's identity (with the claims that destination rules read) and {@code exp}, and
 * lives {@link #TTL} or until the token expires, whichever is sooner. Taking it checks the token
 * again for expiry and revocation. Thread safe.
 */
public final class Tickets {

    /** How long a ticket lives at most (docs/security.md, Connection tickets: at most 30 s). */
    public static final Duration TTL = Duration.ofSeconds(30);
    /** The one reason a ticket is refused, whatever happened to it: nothing to learn by probing. */
    public static final String REFUSED = "ticket unknown, used or expired";

    private static final int RANDOM_BYTES = 32;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final TicketStore store;
    private final TokenVerifier verifier;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Tickets(TicketStore store, TokenVerifier verifier, Clock clock) {
        this.store = store;
        this.verifier = verifier;
        this.clock = clock;
    }

    /** An issued ticket and how long it lives. */
    public record Issued(String ticket, Duration expiresIn) {
        /** Never the ticket: it is as good as the token while it lives. */
        @Override
        public String toString() {
            return "Issued[expiresIn=" + expiresIn + "]";
        }
    }

    /**
     * Issues a ticket for {@code token}.
     *
     * @return the ticket, or empty if the store holds too many unexpired tickets
     * @throws dev.switchboard.broker.ClusterUnavailableException if the cluster cannot be reached
     */
    public Optional<Issued> issue(VerifiedToken token) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String ticket = ENCODER.encodeToString(bytes);
        Duration untilExpiry = Duration.between(clock.instant(),
                token.expiresAt().plusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS));
        Duration ttl = untilExpiry.compareTo(TTL) < 0 ? untilExpiry : TTL;
        if (ttl.toMillis() <= 0) {
            return Optional.empty();
        }
        return store.put(ticket, encode(token), ttl) ? Optional.of(new Issued(ticket, ttl)) : Optional.empty();
    }

    /**
     * Takes {@code ticket} (single use) and returns the token it stands for.
     *
     * @throws TokenRejectedException if the ticket is malformed, unknown, used or expired ({@link
     *         #REFUSED}), or its token has expired or been revoked since
     * @throws dev.switchboard.broker.ClusterUnavailableException if the cluster cannot be reached
     */
    public VerifiedToken redeem(String ticket) throws TokenRejectedException {
        return read(ticket, true);
    }

    /** As {@link #redeem}, but leaves the ticket for its one use. */
    public VerifiedToken inspect(String ticket) throws TokenRejectedException {
        return read(ticket, false);
    }

    private VerifiedToken read(String ticket, boolean take) throws TokenRejectedException {
        if (!wellFormed(ticket)) {
            throw new TokenRejectedException(REFUSED);
        }
        String payload = (take ? store.take(ticket) : store.peek(ticket))
                .orElseThrow(() -> new TokenRejectedException(REFUSED));
        VerifiedToken token = decode(payload);
        verifier.admit(token);
        return token;
    }

    /** Exactly what {@link #issue} makes: no other text reaches the store (nor Redis). */
    private static boolean wellFormed(String ticket) {
        if (ticket == null || ticket.length() != 43) {
            return false;
        }
        for (int i = 0; i < ticket.length(); i++) {
            char c = ticket.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String encode(VerifiedToken token) {
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("sub", token.subject())
                .add("roles", strings(token.roles()))
                .add("exp", token.expiresAt().toEpochMilli())
                .add("fp", token.fingerprint());
        if (token.channels() != null) {
            json.add("channels", strings(token.channels()));
        }
        if (token.tokenId() != null) {
            json.add("jti", token.tokenId());
        }
        if (!token.claims().isEmpty()) {
            JsonObjectBuilder claims = Json.createObjectBuilder();
            token.claims().forEach((name, values) -> claims.add(name, strings(values)));
            json.add("claims", claims);
        }
        return json.build().toString();
    }

    static VerifiedToken decode(String payload) {
        try (JsonReader reader = Json.createReader(new StringReader(payload))) {
            JsonObject json = reader.readObject();
            List<String> channels = json.containsKey("channels") ? strings(json, "channels") : null;
            Map<String, List<String>> claims = new HashMap<>();
            if (json.containsKey("claims")) {
                JsonObject encoded = json.getJsonObject("claims");
                for (String name : encoded.keySet()) {
                    claims.put(name, strings(encoded, name));
                }
            }
            return new VerifiedToken(json.getString("sub"), new HashSet<>(strings(json, "roles")),
                    channels, Instant.ofEpochMilli(json.getJsonNumber("exp").longValue()), json.getString("fp"),
                    json.containsKey("jti") ? json.getString("jti") : null, claims);
        }
    }

    private static JsonArrayBuilder strings(Iterable<String> values) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        values.forEach(array::add);
        return array;
    }

    private static List<String> strings(JsonObject json, String field) {
        return json.getJsonArray(field).getValuesAs(JsonValue.class).stream()
                .map(value -> ((JsonString) value).getString()).toList();
    }

}
