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

    Settings(Map<String, String> systemProperties, Map<String, String> environment, Properties file) {
        this.systemProperties = Map.copyOf(systemProperties);
        this.environment = Map.copyOf(environment);
        this.file = file;
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
