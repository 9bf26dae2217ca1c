package dev.switchboard.config;

import dev.switchboard.security.TokenKeys;
import java.lang.reflect.RecordComponent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Checks every setting of this process as start-up does (values, keys, the JWKS and rules files)
 * without starting anything, and describes the effective configuration with secrets masked. The
 * standalone launcher calls {@link #run()} before it starts the container, so that a bad setting
 * is one line and exit status 2, and its {@code check-config} command prints the description. A
 * JWKS URL and Redis are not contacted: that is start-up's part.
 */
public final class ConfigurationCheck {

    /** What a value that must not be shown is shown as. */
    static final String MASK = "******";
    /** Settings read by the launcher, not by {@link SwitchboardConfig}. */
    private static final Set<String> LAUNCHER_SETTINGS = Set.of("SWITCHBOARD_CONFIG", "SWITCHBOARD_DEBUG",
            "SWITCHBOARD_DEV_SECRET_FILE");
    /** Effective settings whose values are secrets. */
    private static final Set<String> SECRET_COMPONENTS = Set.of("jwtSecret", "apiKey");

    private ConfigurationCheck() {
    }

    /**
     * Checks the settings of this process and returns the description, one line per element.
     * Only JDK types cross this method, so that a launcher in another class loader can call it.
     *
     * @throws ConfigurationException naming the first bad setting, what is wrong and how to fix it
     */
    public static List<String> run() {
        return check(Settings.fromProcess());
    }

    static List<String> check(Settings settings) {
        Set<String> read = new TreeSet<>(); // by environment-variable name
        SwitchboardConfig config = SwitchboardConfig.from(settings.observed(key -> read.add(
                Settings.environmentName(key))));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            boolean anyKey = config.jwtSecret().isPresent() || config.jwtPublicKeyFile().isPresent()
                    || config.keysAndRules().jwks().isPresent();
            String keys = anyKey ? describe(SwitchboardBeans.tokenKeys(config, Clock.systemUTC(), scheduler))
                    : "none (the standalone jar runs in dev mode; a WAR deployment refuses to start)";
            SwitchboardBeans.accessPolicy(config, Clock.systemUTC(), scheduler);
            List<String> lines = new ArrayList<>();
            lines.add("Token keys: " + keys);
            lines.add("Settings given:");
            List<Settings.Given> given = settings.given();
            if (given.isEmpty()) {
                lines.add("  (none: every setting has its default)");
            }
            for (Settings.Given setting : given) {
                boolean known = read.contains(setting.name()) || LAUNCHER_SETTINGS.contains(setting.name());
                lines.add("  " + setting.name() + "=" + shown(setting.name(), setting.value()) + "  (" + setting.source()
                        + ")" + (known ? "" : "  UNKNOWN: no such setting, check its spelling"));
            }
            lines.add("Effective configuration:");
            describe("", config, lines);
            return lines;
        } finally {
            scheduler.shutdownNow(); // the file watchers it started
        }
    }

    private static String describe(TokenKeys keys) {
        List<String> kinds = new ArrayList<>();
        if (keys.hmacSecret() != null) {
            kinds.add("HS256 secret (" + keys.hmacSecret().getEncoded().length + " bytes)");
        }
        if (keys.publicKey() != null) {
            kinds.add(keys.publicKey().getAlgorithm() + " public key");
        }
        if (keys.jwks() != null) {
            kinds.add("JWKS");
        }
        return String.join(", ", kinds);
    }

    /** A given value as it may be shown: secrets masked, a password in a Redis URI too. */
    static String shown(String name, String value) {
        if (name.equals("SWITCHBOARD_JWT_SECRET") || name.equals("SWITCHBOARD_API_KEY")) {
            return MASK;
        }
        if (name.equals("SWITCHBOARD_REDIS_URI")) {
            return withoutPassword(value);
        }
        return value;
    }

    /** {@code redis://user:secret@host} as {@code redis://user:******@host}. */
    static String withoutPassword(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.indexOf('@', Math.max(scheme, 0));
        if (scheme < 0 || at < 0) {
            return uri;
        }
        String userInfo = uri.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        // Without a colon, the whole user info is the password (redis://secret@host, Lettuce's reading).
        return uri.substring(0, scheme + 3) + user + ":" + MASK + uri.substring(at);
    }

    /** Every component of {@code record}, nested records flattened to {@code outer.inner}. */
    private static void describe(String prefix, Record record, List<String> lines) {
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + component.getName(), e);
            }
            String name = prefix + component.getName();
            if (value instanceof Record nested) {
                describe(name + ".", nested, lines);
                continue;
            }
            if (value instanceof Optional<?> optional) {
                value = optional.map(Object.class::cast).orElse("(not set)");
                if (optional.isPresent() && SECRET_COMPONENTS.contains(component.getName())) {
                    value = MASK;
                }
            }
            if (component.getName().equals("redisUri") && !"(not set)".equals(value)) {
                value = withoutPassword(String.valueOf(value));
            }
            lines.add("  " + name + " = " + value);
        }
    }
}
