package dev.switchboard.standalone;

import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Until the banner, keeps the container from repeating a setting error that the application has
 * already reported in one line ("Switchboard cannot start: ... SWITCHBOARD_REDIS_URI ..."): Tomcat
 * logs the same failure three times with some 120 lines of stack each, then the dying
 * application's thread-local leak reports. Records of the container whose exception chain holds a
 * {@code ConfigurationException} are dropped, and after one of them the class loader's leak
 * reports too. Everything else passes, and with {@code SWITCHBOARD_DEBUG} nothing is installed.
 */
final class FailedStartFilter implements Filter {

    private static final String CONFIGURATION_EXCEPTION = "dev.switchboard.config.ConfigurationException";

    private final Filter next;
    /** Set once the banner is out; read on any logging thread. */
    private volatile boolean started;
    /** Set at the first dropped record: the application is failing with a setting error. */
    private volatile boolean failing;

    private FailedStartFilter(Filter next) {
        this.next = next;
    }

    /** Puts a filter in front of each root handler's current one; returns a handle to end it. */
    static Runnable installUnlessDebug(boolean debug) {
        if (debug) {
            return () -> { };
        }
        java.util.List<FailedStartFilter> filters = new java.util.ArrayList<>();
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            FailedStartFilter filter = new FailedStartFilter(handler.getFilter());
            handler.setFilter(filter);
            filters.add(filter);
        }
        return () -> filters.forEach(filter -> filter.started = true);
    }

    /** Whether {@code failure}'s chain holds the application's ConfigurationException (of any class loader). */
    static boolean isSettingError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(CONFIGURATION_EXCEPTION)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!started && fromContainer(record)) {
            if (isSettingError(record.getThrown())) {
                failing = true;
                return false;
            }
            if (failing && String.valueOf(record.getLoggerName()).startsWith("org.apache.catalina.loader.")) {
                return false;
            }
        }
        return next == null || next.isLoggable(record);
    }

    private static boolean fromContainer(LogRecord record) {
        String logger = String.valueOf(record.getLoggerName());
        return logger.startsWith("org.apache.") || logger.startsWith("org.jboss.");
    }
}
