package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;

/** Checks of the response headers that the SockJS 0.3.3 specification prescribes. */
final class SockJsHeaders {

    /**
     * The exact value sockjs-protocol-0.3.3 requires for answers that must not be cached ("due to
     * transports limitations we need to request private data using GET"; iOS 6 also caches POSTs).
     */
    static final String NOT_CACHED_0_3_3 = "no-store, no-cache, must-revalidate, max-age=0";
    /**
     * The same with {@code no-transform}, which later revisions of the protocol test require (a
     * transforming proxy must not compress or rewrite a streaming answer). Either is accepted.
     */
    static final String NOT_CACHED_LATER = "no-store, no-cache, no-transform, must-revalidate, max-age=0";

    private SockJsHeaders() {
    }

    /** Content-Type compared without spaces, as the spec compares it. */
    static void assertContentType(HttpHeaders headers, String expected) {
        assertThat(headers.firstValue("Content-Type")).as("Content-Type")
                .hasValueSatisfying(value -> assertThat(value.replace(" ", "")).isEqualToIgnoringCase(expected));
    }

    /** Spec "verify_not_cached": the no-cache Cache-Control, no Expires, no Last-Modified. */
    static void assertNotCached(HttpHeaders headers) {
        assertThat(headers.firstValue("Cache-Control")).as("Cache-Control")
                .hasValueSatisfying(value -> assertThat(value).isIn(NOT_CACHED_0_3_3, NOT_CACHED_LATER));
        assertThat(headers.firstValue("Expires")).as("Expires").isEmpty();
        assertThat(headers.firstValue("Last-Modified")).as("Last-Modified").isEmpty();
    }

    /** Spec "verify_cors": the request's Origin echoed with credentials, or {@code *} without them for none or "null". */
    static void assertCors(HttpHeaders headers, String origin) {
        if (origin != null && !origin.equals("null")) {
            assertThat(headers.firstValue("Access-Control-Allow-Origin")).as("Access-Control-Allow-Origin").hasValue(origin);
            assertThat(headers.firstValue("Access-Control-Allow-Credentials")).as("Access-Control-Allow-Credentials")
                    .hasValue("true");
        } else {
            assertThat(headers.firstValue("Access-Control-Allow-Origin")).as("Access-Control-Allow-Origin").hasValue("*");
            assertThat(headers.firstValue("Access-Control-Allow-Credentials")).as("Access-Control-Allow-Credentials")
                    .isEmpty();
        }
    }

    /** Spec "verify_no_cookie": no JSESSIONID or any other cookie ({@code cookie_needed: false}). */
    static void assertNoCookie(HttpHeaders headers) {
        assertThat(headers.allValues("Set-Cookie")).as("Set-Cookie").isEmpty();
    }

    /** Strongly cacheable (iframe page, preflights): public, max-age of at least seven digits, Expires. */
    static void assertCacheableForLong(HttpHeaders headers) {
        assertThat(headers.firstValue("Cache-Control")).as("Cache-Control").hasValueSatisfying(value -> {
            assertThat(value).contains("public");
            assertThat(value).containsPattern("max-age=[1-9][0-9]{6}");
        });
        assertThat(headers.firstValue("Expires")).as("Expires").isPresent();
    }
}
