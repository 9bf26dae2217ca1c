package dev.switchboard.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Raw settings by key (docs/configuration.md). For key {@code jwt.secret}: the system property
 * {@code switchboard.jwt.secret}, else the environment variable {@code SWITCHBOARD_JWT_SECRET},
 * else that key (in either spelling) in the properties file named by {@code SWITCHBOARD_CONFIG}
 * (itself a system property {@code switchboard.config} or an environment variable), else absent.
 * Blank values count as absent. Immutable.
 */
public final class Settings {

    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Properties file;
    /** Told the key of every lookup (see {@link #observed}); does nothing by default. */
    private final Consumer<String> lookups;

    Settings(Map<String, String> systemProperties, Map<String, String> environment, Properties file) {
        this(systemProperties, environment, file, key -> { });
    }

    private Settings(Map<String, String> systemProperties, Map<String, String> environment, Properties file,
            Consumer<String> lookups) {
        this.systemProperties = Map.copyOf(systemProperties);
        this.environment = Map.copyOf(environment);
        this.file = file;
        this.lookups = lookups;
    }

    /**
     * These settings, telling {@code lookups} the key of every {@link #get}: how a check learns
     * which settings exist, so that it can point out a given one that nothing reads (a typo).
     */
    Settings observed(Consumer<String> lookups) {
        return new Settings(systemProperties, environment, file, lookups);
    }

    /** A setting given explicitly: its environment-variable name, value, and where it came from. */
    public record Given(String name, String value, String source) {
    }

    /**
     * Every setting given explicitly, by environment-variable name in alphabetical order, each
     * from the source that wins (system property, then environment, then the file).
     */
    public java.util.List<Given> given() {
        Map<String, Given> given = new java.util.TreeMap<>();
        systemProperties.forEach((name, value) -> {
            if (name.startsWith("switchboard.") && !value.isBlank()) {
                String variable = environmentName(name.substring("switchboard.".length()));
                given.putIfAbsent(variable, new Given(variable, value.trim(), "system property " + name));
            }
        });
        environment.forEach((name, value) -> {
            if (name.startsWith("SWITCHBOARD_") && !value.isBlank()) {
                given.putIfAbsent(name, new Given(name, value.trim(), "environment"));
            }
        });
        for (String name : file.stringPropertyNames()) {
            String value = file.getProperty(name);
            String variable = name.startsWith("switchboard.") ? environmentName(name.substring("switchboard.".length()))
                    : name;
            if ((name.startsWith("switchboard.") || name.startsWith("SWITCHBOARD_")) && !value.isBlank()) {
                given.putIfAbsent(variable, new Given(variable, value.trim(), "SWITCHBOARD_CONFIG file"));
            }
        }
        return java.util.List.copyOf(given.values());
    }

    /** Settings of this process: its system properties, environment, and config file if any. */
    public static Settings fromProcess() {
        Map<String, String> props = new java.util.HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return of(props, System.getenv());
    }

    static Settings of(Map<String, String> systemProperties, Map<String, String> environment) {
        String configFile = nonBlank(systemProperties.get("switchboard.config"))
                .or(() -> nonBlank(environment.get("SWITCHBOARD_CONFIG"))).orElse(null);
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader reader = Files.newBufferedReader(Path.of(configFile), StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new ConfigurationException("Cannot read SWITCHBOARD_CONFIG file " + configFile + ": " + e, e);
            }
        }
        return new Settings(systemProperties, environment, file);
    }

    /** The value of {@code key} (dotted, lower case, e.g. {@code jwt.secret}). */
    public Optional<String> get(String key) {
        lookups.accept(key);
        String property = "switchboard." + key;
        String variable = environmentName(key);
        return nonBlank(systemProperties.get(property))
                .or(() -> nonBlank(environment.get(variable)))
                .or(() -> nonBlank(file.getProperty(property)))
                .or(() -> nonBlank(file.getProperty(variable)));
    }

    /** {@code jwt.public-key} becomes {@code SWITCHBOARD_JWT_PUBLIC_KEY}. */
    static String environmentName(String key) {
        return "SWITCHBOARD_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
