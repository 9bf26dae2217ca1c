package dev.switchboard.standalone;

import dev.switchboard.config.ConfigurationException;
import dev.switchboard.config.Settings;
import java.io.PrintStream;
import java.util.Locale;

/**
 * How the launcher reports a start that cannot go on: one line on stderr that names the setting,
 * what is wrong with its value and how to fix it (the message of a {@link ConfigurationException}),
 * and an exit status: {@value #BAD_SETTING} for a bad setting, 1 for anything else. The stack trace
 * follows only with {@code SWITCHBOARD_DEBUG} set (to anything but {@code false} or {@code 0}).
 */
public final class StartupFailure {

    /** The exit status for a bad setting or bad command-line usage. */
    public static final int BAD_SETTING = 2;
    static final int OTHER_FAILURE = 1;

    private static final System.Logger LOG = System.getLogger(StartupFailure.class.getName());

    private final PrintStream err;
    private final String prefix;
    private final boolean debug;

    /** Reports on {@code err}, each line starting with {@code prefix} (e.g. "Switchboard cannot start: "). */
    public StartupFailure(PrintStream err, String prefix) {
        this.err = err;
        this.prefix = prefix;
        this.debug = debugRequested();
    }

    /** Whether {@code SWITCHBOARD_DEBUG} asks for stack traces and the container's full log. */
    static boolean debugRequested() {
        try {
            return Settings.fromProcess().get("debug").map(value -> !value.equals("0")
                    && !value.toLowerCase(Locale.ROOT).equals("false")).orElse(false);
        } catch (ConfigurationException e) {
            return false; // an unreadable SWITCHBOARD_CONFIG is reported as the failure itself
        }
    }

    boolean debug() {
        return debug;
    }

    /** Reports a bad setting; returns the exit status. */
    public int badSetting(ConfigurationException e) {
        err.println(prefix + e.getMessage());
        trace(e);
        return BAD_SETTING;
    }

    /** Reports any other failure before the container started; returns the exit status. */
    public int unexpected(Exception e) {
        err.println(prefix + e + (debug ? "" : " (set SWITCHBOARD_DEBUG=1 for the stack trace)"));
        trace(e);
        return OTHER_FAILURE;
    }

    private void trace(Exception e) {
        if (debug) {
            LOG.log(System.Logger.Level.ERROR, "Stack trace (SWITCHBOARD_DEBUG is set)", e);
        }
    }
}
