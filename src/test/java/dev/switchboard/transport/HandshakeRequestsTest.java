package dev.switchboard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.security.ProxyTrust;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeRequestsTest {

    private final ProxyTrust noProxies = new ProxyTrust(List.of());

    @Test
    void aPageLoadFromAnotherSiteIsJudgedByItsReferersOrigin() {
        HttpServletRequest script = request(Map.of("Sec-Fetch-Site", "cross-site",
                "Referer", "http://evil.example:8000/page.html?x=1"));

        assertThat(HandshakeRequests.ofPageLoad(script, noProxies).origin()).isEqualTo("http://evil.example:8000");
    }

    @Test
    void aCrossSitePageLoadWithoutRefererHasAnUnknownOrigin() {
        HttpServletRequest script = request(Map.of("Sec-Fetch-Site", "cross-site"));

        assertThat(HandshakeRequests.ofPageLoad(script, noProxies).origin()).isEqualTo("null");
    }

    @Test
    void anOriginHeaderIsTakenAsItIs() {
        HttpServletRequest xhr = request(Map.of("Origin", "https://app.example", "Sec-Fetch-Site", "cross-site",
                "Referer", "https://other.example/"));

        assertThat(HandshakeRequests.ofPageLoad(xhr, noProxies).origin()).isEqualTo("https://app.example");
    }

    @Test
    void sameOriginAndNonBrowserRequestsNameNoOrigin() {
        assertThat(HandshakeRequests.ofPageLoad(request(Map.of("Sec-Fetch-Site", "same-origin",
                "Referer", "http://localhost:8080/")), noProxies).origin()).isNull();
        assertThat(HandshakeRequests.ofPageLoad(request(Map.of()), noProxies).origin()).isNull();
    }

    private static HttpServletRequest request(Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Host", "localhost:8080");
        return (HttpServletRequest) Proxy.newProxyInstance(HandshakeRequestsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> all.get((String) args[0]);
                    case "getRemoteAddr" -> "127.0.0.1";
                    case "getScheme" -> "http";
                    default -> null;
                });
    }
}
