package dev.switchboard.security;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Which peers are reverse proxies whose {@code X-Forwarded-For}, {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} headers are believed (SWITCHBOARD_TRUSTED_PROXIES). Behind such a
 * proxy, origin checks compare against the scheme and host the browser used, and rate limits
 * count the real client address. Headers from any other peer are ignored: a client could forge
 * them. Immutable.
 */
public final class ProxyTrust {

    /** A request as the client made it. */
    public record ClientView(String address, String scheme, String host) {
    }

    private final Set<String> trustedAddresses;

    public ProxyTrust(List<String> trustedAddresses) {
        this.trustedAddresses = Set.copyOf(trustedAddresses);
    }

    /**
     * The client's view of a request that arrived from {@code remoteAddress} with {@code scheme} and
     * {@code host}; {@code headers} looks a request header up by name (null if absent).
     */
    public ClientView view(String remoteAddress, String scheme, String host, UnaryOperator<String> headers) {
        if (!trustedAddresses.contains(remoteAddress)) {
            return new ClientView(remoteAddress, scheme, host);
        }
        return new ClientView(clientAddress(remoteAddress, headers.apply("X-Forwarded-For")),
                firstValue(headers.apply("X-Forwarded-Proto"), scheme),
                firstValue(headers.apply("X-Forwarded-Host"), host));
    }

    /**
     * The rightmost address of the chain that is not one of our proxies: the one that reached them.
     * If every entry is one of our proxies, the leftmost; if none is an address at all (the header
     * is only commas and blanks), the peer's own address.
     */
    private String clientAddress(String remoteAddress, String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank()) {
            return remoteAddress;
        }
        String leftmost = remoteAddress;
        String[] chain = forwardedFor.split(",");
        for (int i = chain.length - 1; i >= 0; i--) {
            String address = chain[i].trim();
            if (address.isEmpty()) {
                continue;
            }
            if (!trustedAddresses.contains(address)) {
                return address;
            }
            leftmost = address;
        }
        // Not chain[0]: "," splits into no entries at all (found by HandshakeFuzzTest), " ,p" into a blank one.
        return leftmost;
    }

    /** The header's first comma-separated value, or the fallback if it has none. */
    private static String firstValue(String header, String fallback) {
        if (header == null) {
            return fallback;
        }
        String first = header.split(",", 2)[0].trim();
        return first.isEmpty() ? fallback : first;
    }
}
