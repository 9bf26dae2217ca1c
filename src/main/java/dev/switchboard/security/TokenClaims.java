package dev.switchboard.security;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claims of a token that destination rules may test ({@code claims:} in a rules file): string
 * and string-list claims, bounded so that a session's identity stays small whatever a token holds.
 * Claims the verifier already reads ({@code sub}, {@code roles}, {@code channels}, {@code jti}) and
 * the time claims are left out; a claim past the bounds is left out too (rules then do not see it).
 */
final class TokenClaims {

    static final int MAX_CLAIMS = 32;
    static final int MAX_VALUES = 64;
    static final int MAX_VALUE_CHARS = 256;
    private static final Set<String> READ_ELSEWHERE = Set.of("sub", "roles", "channels", "jti", "exp", "nbf", "iat");

    private TokenClaims() {
    }

    static Map<String, List<String>> forRules(JWTClaimsSet claims) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (Map.Entry<String, Object> claim : claims.getClaims().entrySet()) {
            if (kept.size() == MAX_CLAIMS) {
                break;
            }
            if (READ_ELSEWHERE.contains(claim.getKey())) {
                continue;
            }
            List<String> values = strings(claim.getValue());
            if (values != null) {
                kept.put(claim.getKey(), values);
            }
        }
        return kept;
    }

    /** The value as a list of strings, or null if it is something else or too big. */
    private static List<String> strings(Object value) {
        if (value instanceof String text) {
            return text.length() <= MAX_VALUE_CHARS ? List.of(text) : null;
        }
        if (value instanceof List<?> list && list.size() <= MAX_VALUES) {
            for (Object item : list) {
                if (!(item instanceof String text) || text.length() > MAX_VALUE_CHARS) {
                    return null;
                }
            }
            return list.stream().map(String.class::cast).toList();
        }
        return null;
    }
}
