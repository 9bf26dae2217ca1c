package dev.switchboard.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The {@code X-Switchboard-Signature} header: {@code sha256=} and the hex HMAC-SHA256 of the body. */
public final class WebhookSignature {

    public static final String HEADER = "X-Switchboard-Signature";

    private final SecretKeySpec key;

    public WebhookSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The header's value for {@code body}. */
    public String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // Every Java runtime has HmacSHA256, and any key length suits it.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
