package dev.switchboard.standalone;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.config.Settings;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Dev mode of the embedded default (docs/configuration.md, SWITCHBOARD_JWT_SECRET): with neither
 * {@code SWITCHBOARD_JWT_SECRET} nor {@code SWITCHBOARD_JWT_PUBLIC_KEY} set, the HS256 secret of the
 * {@link DevSecret} file (created with a random secret on the first run) is handed to the
 * application as the system property {@code switchboard.jwt.secret}, and a ready-to-use token is
 * printed; the {@code token} command mints more with the same file. (A WAR on its own never
 * does this: it refuses to start without a key.)
 */
final class DevMode {

    static final String DEV_USER = "dev";
    static final Duration TOKEN_LIFETIME = Duration.ofHours(12);

    private final String token;
    private final DevSecret secret;

    private DevMode(String token, DevSecret secret) {
        this.token = token;
        this.secret = secret;
    }

    /** Returns the dev mode in force, or null if a key is configured. */
    static DevMode enableIfNoKey(Settings settings) throws JOSEException {
        if (settings.get("jwt.secret").isPresent() || settings.get("jwt.public-key").isPresent()
                || settings.get("jwt.jwks").isPresent()) {
            return null;
        }
        DevSecret secret = DevSecret.of(settings);
        String secretText = secret.readOrCreate();
        System.setProperty("switchboard.jwt.secret", secretText);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(DEV_USER)
                .claim("roles", List.of("publisher", "admin"))
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(TOKEN_LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secretText.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return new DevMode(jwt.serialize(), secret);
    }

    void printWelcome(PrintStream out, String baseUrl) {
        out.println();
        out.println("Dev mode: no SWITCHBOARD_JWT_SECRET or SWITCHBOARD_JWT_PUBLIC_KEY set; tokens are signed with the"
                + " dev secret in " + secret.file() + " (readable by you only).");
        out.println("Token for user \"" + DEV_USER + "\" (roles publisher, admin; valid " + TOKEN_LIFETIME.toHours()
                + " h):");
        out.println("DEV_TOKEN=" + token);
        out.println();
        out.println("Console:  " + baseUrl + "?token=" + token + "&channelId=demo&connect=1");
        out.println("Push to the console's channel from a shell:");
        out.println("  curl -X POST -H \"Authorization: Bearer " + token + "\" -H \"Content-Type: application/json\" \\");
        out.println("       -d '{\"data\":{\"text\":\"hello\"}}' " + baseUrl + "api/v1/channels/demo/messages");
        out.println("More tokens (docs/cli.md):");
        out.println("  java -jar switchboard-standalone.jar token --sub agent-7 --channels agent-7 --ttl 1h");
        out.flush();
    }
}
