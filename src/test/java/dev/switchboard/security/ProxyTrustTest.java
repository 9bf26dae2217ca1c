package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyTrustTest {

    private final ProxyTrust trust = new ProxyTrust(List.of("10.0.0.5", "10.0.0.6"));

    private static java.util.function.UnaryOperator<String> headers(Map<String, String> values) {
        return values::get;
    }

    @Test
    void forwardedHeadersOfATrustedProxyGiveTheClientsSchemeHostAndAddress() {
        ProxyTrust.ClientView view = trust.view("10.0.0.5", "http", "backend:8080", headers(Map.of(
                "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "push.example.com")));

        assertThat(view).isEqualTo(new ProxyTrust.ClientView("203.0.113.7", "https", "push.example.com"));
    }

    @Test
    void forwardedHeadersOfAnyOtherPeerAreIgnored() {
        ProxyTrust.ClientView view = trust.view("198.51.100.9", "http", "backend:8080", headers(Map.of(
                "X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example")));

        assertThat(view).isEqualTo(new ProxyTrust.ClientView("198.51.100.9", "http", "backend:8080"));
    }

    @Test
    void forwardedHeadersWithoutAnyValueLeaveThePeersOwnView() {
        // Found by HandshakeFuzzTest: "X-Forwarded-For: ," threw ArrayIndexOutOfBoundsException (a 500).
        ProxyTrust.ClientView view = trust.view("10.0.0.5", "http", "backend:8080", headers(Map.of(
                "X-Forwarded-For", ",", "X-Forwarded-Proto", " ,https", "X-Forwarded-Host", ",")));

        assertThat(view).isEqualTo(new ProxyTrust.ClientView("10.0.0.5", "http", "backend:8080"));
    }

    @Test
    void aChainOfOnlyOurProxiesGivesItsLeftmostAddressSkippingBlanks() {
        ProxyTrust.ClientView view = trust.view("10.0.0.5", "http", "h", headers(Map.of(
                "X-Forwarded-For", " , 10.0.0.6 ,, 10.0.0.5")));

        assertThat(view.address()).isEqualTo("10.0.0.6");
    }

    @Test
    void theClientIsTheRightmostAddressThatIsNotOneOfOurProxies() {
        ProxyTrust.ClientView view = trust.view("10.0.0.5", "http", "h", headers(Map.of(
                "X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.0.0.6")));

        assertThat(view.address()).as("1.1.1.1 may be forged by the client").isEqualTo("203.0.113.7");
    }

    @Test
    void withoutForwardedHeadersTheConnectionItselfCounts() {
        assertThat(trust.view("10.0.0.5", "http", "h:1", headers(Map.of())))
                .isEqualTo(new ProxyTrust.ClientView("10.0.0.5", "http", "h:1"));
    }
}
