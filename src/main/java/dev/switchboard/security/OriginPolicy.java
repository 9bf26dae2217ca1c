package dev.switchboard.security;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may open sessions (docs/configuration.md, SWITCHBOARD_ALLOWED_ORIGINS).
 * With no list configured, only requests without an {@code Origin} header (non-browser clients) and
 * same-origin requests are allowed; {@code *} allows any origin. Comparison ignores case and
 * default ports.
 *
 * <p>"Same origin" means the origin the service is reached at: the configured public origins
 * ({@code SWITCHBOARD_PUBLIC_ORIGIN}) when there are any, else the request's own scheme and
 * {@code Host}. A {@code Host} is whatever the client wrote, so with no public origin a page on a
 * rebinding name ({@code Host: evil}, {@code Origin: evil}) passes as same-origin; a public origin
 * closes that.
 */
public final class OriginPolicy {

    private final boolean anyOrigin;
    private final Set<String> allowed;
    /** The origins the service is reached at; empty: the request's scheme and Host. */
    private final Set<String> publicOrigins;

    public OriginPolicy(List<String> allowedOrigins) {
        this(allowedOrigins, List.of());
    }

    /** {@code publicOrigins}: SWITCHBOARD_PUBLIC_ORIGIN, what "same origin" compares with instead of Host. */
    public OriginPolicy(List<String> allowedOrigins, List<String> publicOrigins) {
        this.publicOrigins = publicOrigins.stream().map(OriginPolicy::normalise)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.anyOrigin = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream().filter(o -> !o.equals("*")).map(OriginPolicy::normalise)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * @param origin the request's {@code Origin} header, or null
     * @param scheme the scheme the client used to reach us ({@code http} or {@code https})
     * @param host   the {@code Host} the client used, with port if not the default
     */
    public boolean allows(String origin, String scheme, String host) {
        if (origin == null || anyOrigin) {
            return true;
        }
        String normalised = normalise(origin);
        if (allowed.contains(normalised)) {
            return true;
        }
        return publicOrigins.isEmpty() ? normalised.equals(normalise(scheme + "://" + host))
                : publicOrigins.contains(normalised);
    }

    /**
     * The {@code frame-ancestors} source list that lets exactly the allowed origins embed a page of
     * ours (the SockJS iframe and htmlfile pages, whose own requests carry our origin), or null if
     * any origin may.
     */
    public String frameAncestors() {
        if (anyOrigin) {
            return null;
        }
        StringBuilder sources = new StringBuilder("'self'");
        publicOrigins.stream().sorted().forEach(origin -> sources.append(' ').append(origin));
        allowed.stream().sorted().forEach(origin -> sources.append(' ').append(origin));
        return sources.toString();
    }

    private static String normalise(String origin) {
        try {
            URI uri = URI.create(origin.trim().toLowerCase(Locale.ROOT));
            if (uri.getScheme() == null || uri.getHost() == null) {
                return origin.trim().toLowerCase(Locale.ROOT);
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (port == 80 && uri.getScheme().equals("http"))
                    || (port == 443 && uri.getScheme().equals("https"));
            return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return origin.trim().toLowerCase(Locale.ROOT); // "null" origins and junk compare literally
        }
    }
}
