package dev.switchboard.standalone;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the container's INFO lines (Tomcat's connector and engine, Weld's bootstrap: a dozen lines
 * an operator does not act on) out of the output until the banner; the application's own start
 * line and every warning still show. Not with {@code SWITCHBOARD_DEBUG}, nor when the user
 * configured java.util.logging: then nothing is changed.
 */
final class StartupLogLevels {

    private static final List<String> CHATTY = List.of("org.apache.catalina", "org.apache.coyote", "org.apache.tomcat",
            "org.jboss.weld");

    /** Held here: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
    private final List<Logger> quieted;

    private StartupLogLevels(List<Logger> quieted) {
        this.quieted = quieted;
    }

    static StartupLogLevels quietUnlessDebug(boolean debug) {
        boolean configured = System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null;
        if (debug || configured) {
            return new StartupLogLevels(List.of());
        }
        List<Logger> loggers = CHATTY.stream().map(Logger::getLogger).toList();
        loggers.forEach(logger -> logger.setLevel(Level.WARNING));
        return new StartupLogLevels(loggers);
    }

    /** Gives the container's loggers their configured levels back. */
    void restore() {
        quieted.forEach(logger -> logger.setLevel(null));
    }
}
