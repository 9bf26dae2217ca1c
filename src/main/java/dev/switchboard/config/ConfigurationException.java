package dev.switchboard.config;

/** A setting is missing or invalid; the message names the setting and what is expected. */
public final class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
