package dev.switchboard.api;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Revocation;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.security.JsonResponseWriter;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Revocations (docs/security.md, Revocation), under the HTTP API's authentication (API key or admin
 * token): {@code POST /api/v1/revocations} {@code {"user"}} or {@code {"jti"}} with an optional
 * {@code until} (an ISO-8601 instant, or seconds since the epoch; default: now plus the longest
 * token lifetime allowed) makes one (201); {@code GET} lists those that count;
 * {@code DELETE /api/v1/revocations/{id}} lifts one (204, or 404).
 */
@WebServlet(urlPatterns = "/api/v1/revocations/*")
public final class RevocationServlet extends HttpServlet {

    private static final Logger LOG = System.getLogger(RevocationServlet.class.getName());
    private static final int MAX_BODY_BYTES = 16 * 1024;
    private static final int MAX_VALUE_CHARS = 1024;
    /** A revocation's end at most this far ahead (a user banned for good is revoked again, or removed from the issuer). */
    private static final Duration LONGEST = Duration.ofDays(3660);
    private static final Pattern ID = Pattern.compile("rv-[0-9a-f]{24}");

    private final SecureRandom random = new SecureRandom();

    // Field injection: servlet containers create servlets themselves, so CDI can only inject fields.
    @Inject
    private transient RevocationList revocations;
    @Inject
    private transient ApiGate gate;
    @Inject
    private transient Jsonb jsonb;
    @Inject
    private transient JsonResponseWriter responses;
    @Inject
    private transient SwitchboardConfig config;
    @Inject
    private transient Clock clock;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<String> caller = gate.admit(request, response);
        if (caller.isEmpty()) {
            return;
        }
        String principal = caller.get();
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        try {
            if (path.isEmpty() || path.equals("/")) {
                switch (request.getMethod()) {
                    case "POST" -> responses.write(response, 201, describe(create(request, principal)));
                    case "GET" -> responses.write(response, 200,
                            Map.of("revocations", revocations.active().stream().map(this::describe).toList()));
                    default -> methodNotAllowed(response, "GET, POST");
                }
            } else if (path.indexOf('/', 1) < 0) {
                if (!request.getMethod().equals("DELETE")) {
                    methodNotAllowed(response, "DELETE");
                    return;
                }
                String id = path.substring(1);
                if (!ID.matcher(id).matches() || !revocations.remove(id)) {
                    throw ApiException.notFound("no such revocation");
                }
                LOG.log(Level.INFO, "Revocation {0} lifted by {1}", id, principal);
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            } else {
                throw ApiException.notFound("no such API resource");
            }
        } catch (ApiException e) {
            responses.writeError(response, e.status(), e.error(), e.getMessage());
        } catch (ClusterUnavailableException e) {
            response.setHeader("Retry-After", "1");
            responses.writeError(response, 503, "unavailable", "the cluster is unavailable; try again shortly");
        }
    }

    private Revocation create(HttpServletRequest request, String principal) throws IOException, ApiException {
        JsonObject body = new JsonBodyReader(jsonb, MAX_BODY_BYTES).read(request);
        String user = text(body, "user");
        String jti = text(body, "jti");
        if ((user == null) == (jti == null)) {
            throw ApiException.badRequest("give exactly one of 'user' and 'jti'");
        }
        for (String field : body.keySet()) {
            if (!field.equals("user") && !field.equals("jti") && !field.equals("until")) {
                throw ApiException.badRequest("unknown field '" + field + "'");
            }
        }
        Instant now = clock.instant();
        Instant until = until(body.get("until"), now);
        Revocation revocation = new Revocation("rv-" + HexFormat.of().formatHex(randomBytes()), user != null ? Revocation.Kind.USER : Revocation.Kind.JTI,
                user != null ? user : jti, until, now);
        try {
            revocations.add(revocation);
        } catch (IllegalStateException e) {
            throw new ApiException(409, "conflict", e.getMessage());
        }
        LOG.log(Level.INFO, "Revocation {0} of {1} {2} until {3} made by {4}", revocation.id(),
                revocation.kind().field(), revocation.value(), until, principal);
        return revocation;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return bytes;
    }

    /** An ISO-8601 instant (with {@code Z} or an offset) or whole seconds since the epoch; absent: the longest token lifetime from now. */
    private Instant until(JsonValue value, Instant now) throws ApiException {
        Instant until;
        if (value == null || value == JsonValue.NULL) {
            until = now.plusMillis(config.tokens().maxLifetimeMs());
        } else if (value instanceof JsonNumber number) {
            if (!number.isIntegral()) {
                throw ApiException.badRequest("'until' in seconds since the epoch must be a whole number");
            }
            try {
                until = Instant.ofEpochSecond(number.longValueExact());
            } catch (ArithmeticException | java.time.DateTimeException e) {
                throw ApiException.badRequest("'until' is out of range");
            }
        } else if (value instanceof JsonString string) {
            try {
                until = Instant.parse(string.getString());
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("'until' must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, "
                        + "or seconds since the epoch");
            }
        } else {
            throw ApiException.badRequest("'until' must be an ISO-8601 instant or seconds since the epoch");
        }
        if (!until.isAfter(now)) {
            throw ApiException.badRequest("'until' must be in the future");
        }
        if (until.isAfter(now.plus(LONGEST))) {
            throw ApiException.badRequest("'until' must be within " + LONGEST.toDays() + " days");
        }
        return until;
    }

    private static String text(JsonObject body, String field) throws ApiException {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (!(value instanceof JsonString string) || string.getString().isEmpty()
                || string.getString().length() > MAX_VALUE_CHARS
                || string.getString().chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("'" + field + "' must be a non-empty string of at most " + MAX_VALUE_CHARS
                    + " characters without control characters");
        }
        return string.getString();
    }

    private Map<String, Object> describe(Revocation revocation) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("id", revocation.id());
        description.put(revocation.kind().field(), revocation.value());
        description.put("until", revocation.until().toString());
        description.put("createdAt", revocation.createdAt().toString());
        return description;
    }

    private void methodNotAllowed(HttpServletResponse response, String allow) throws IOException {
        response.setHeader("Allow", allow);
        responses.writeError(response, 405, "method_not_allowed", "use " + allow + " here");
    }
}
