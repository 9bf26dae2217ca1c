package dev.switchboard.standalone.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.config.ConfigurationException;
import dev.switchboard.config.Settings;
import dev.switchboard.standalone.DevSecret;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code token}: mints a token the server accepts (docs/protocol.md, Tokens) and prints it alone on
 * stdout, so that {@code TOKEN=$(java -jar switchboard-standalone.jar token --sub alice)} works.
 * Signed with, in this order: the private key of {@code --key} (RS256 or ES256), the configured
 * {@code SWITCHBOARD_JWT_SECRET} (HS256), or, with no key configured, the dev secret file that dev
 * mode uses. {@code iss} and {@code aud} follow the configured ones; each token gets a random
 * {@code jti}, so that it can be revoked alone. {@code --claim name=value} adds the string claims a
 * rules file tests (docs/security.md, Destination rules); a name given twice makes a list.
 */
final class TokenCommand {

    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    private static final Set<String> OPTIONS = Set.of("sub", "channels", "roles", "ttl", "key", "kid", "claim");
    /** Claims with an option of their own, or set by the command: never through {@code --claim}. */
    private static final Set<String> RESERVED_CLAIMS = Set.of("sub", "channels", "roles", "jti", "exp", "iat", "nbf",
            "iss", "aud");

    private TokenCommand() {
    }

    static void run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Options options = Options.parse(args, OPTIONS, Set.of("claim"));
        String subject = options.required("sub");
        Duration ttl = options.get("ttl").map(TokenCommand::duration).orElse(DEFAULT_TTL);
        Settings settings = Settings.fromProcess();
        Duration maxLifetime = Duration.ofMillis(settings.get("token.max.lifetime.ms").map(Long::parseLong)
                .orElse(24 * 3_600_000L));
        if (ttl.compareTo(maxLifetime) > 0) {
            throw new UsageException("--ttl " + options.required("ttl") + " is longer than the server accepts"
                    + " (SWITCHBOARD_TOKEN_MAX_LIFETIME_MS, " + maxLifetime.toMinutes() + " min)");
        }
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        List<String> channels = options.list("channels");
        if (!channels.isEmpty()) {
            claims.claim("channels", channels);
        }
        List<String> roles = options.list("roles");
        if (!roles.isEmpty()) {
            claims.claim("roles", roles);
        }
        extraClaims(options.all("claim"))
                .forEach((name, values) -> claims.claim(name, values.size() == 1 ? values.get(0) : values));
        settings.get("jwt.issuer").ifPresent(claims::issuer);
        settings.get("jwt.audience").ifPresent(claims::audience);

        Signing signing = signing(options, settings, err);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signing.algorithm()).keyID(options.get("kid").orElse(null))
                .build(), claims.build());
        try {
            jwt.sign(signing.signer());
        } catch (JOSEException e) {
            throw new ConfigurationException("signing failed: " + e.getMessage(), e);
        }
        out.println(jwt.serialize());
    }

    /** {@code name=value} pairs by name, values in the order given. */
    static Map<String, List<String>> extraClaims(List<String> pairs) {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? "" : pair.substring(0, equals).trim();
            if (name.isEmpty()) {
                throw new UsageException("--claim '" + pair + "' is not name=value");
            }
            if (RESERVED_CLAIMS.contains(name)) {
                throw new UsageException("--claim " + name + " is set by the command or its own option, not by --claim");
            }
            claims.computeIfAbsent(name, n -> new ArrayList<>()).add(pair.substring(equals + 1));
        }
        return claims;
    }

    private record Signing(JWSAlgorithm algorithm, JWSSigner signer) {
    }

    private static Signing signing(Options options, Settings settings, PrintStream err) throws IOException {
        try {
            if (options.get("key").isPresent()) {
                PrivateKey key = privateKey(Path.of(options.required("key")));
                if (key instanceof RSAPrivateKey rsa) {
                    return new Signing(JWSAlgorithm.RS256, new RSASSASigner(rsa));
                }
                return new Signing(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) key));
            }
            if (settings.get("jwt.secret").isPresent()) {
                return hmac(settings.get("jwt.secret").get(), "SWITCHBOARD_JWT_SECRET");
            }
            if (settings.get("jwt.public-key").isPresent() || settings.get("jwt.jwks").isPresent()) {
                throw new UsageException("the server verifies tokens with a public key"
                        + " (SWITCHBOARD_JWT_PUBLIC_KEY or SWITCHBOARD_JWT_JWKS), which cannot sign; give its private"
                        + " key with --key private.pem");
            }
            DevSecret dev = DevSecret.of(settings);
            String secret = dev.read();
            err.println("(no key configured: signed with the dev-mode secret in " + dev.file() + ")");
            return hmac(secret, "the dev secret file " + dev.file());
        } catch (JOSEException e) {
            throw new ConfigurationException("the key cannot sign: " + e.getMessage(), e);
        }
    }

    private static Signing hmac(String secret, String from) throws JOSEException {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new ConfigurationException("SWITCHBOARD_JWT_SECRET must be at least 32 bytes, it has " + bytes.length
                    + "; set a random one, e.g. the output of: openssl rand -base64 32");
        }
        return new Signing(JWSAlgorithm.HS256, new MACSigner(bytes));
    }

    /** An RSA or EC private key from a PEM {@code PRIVATE KEY} (PKCS#8) file, as {@code openssl genpkey} writes. */
    static PrivateKey privateKey(Path file) throws IOException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigurationException("--key file " + file + " cannot be read (" + e + ")", e);
        }
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new ConfigurationException("--key file " + file + " holds no PEM PRIVATE KEY block (PKCS#8);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", ""));
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new ConfigurationException("--key file " + file + " holds neither an RSA nor an EC private key");
    }

    /** {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}, or ISO-8601 such as {@code PT1H30M}. */
    static Duration duration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return positive(text, Duration.parse(value.toUpperCase(Locale.ROOT)));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return positive(text, switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            });
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageException("--ttl '" + text + "' is not a duration; use e.g. 90s, 15m, 1h, 7d or PT1H");
        }
    }

    private static Duration positive(String text, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new UsageException("--ttl '" + text + "' must be longer than zero");
        }
        return duration;
    }
}
