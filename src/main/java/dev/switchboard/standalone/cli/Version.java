package dev.switchboard.standalone.cli;

import java.io.PrintStream;
import org.apache.catalina.util.ServerInfo;

/** {@code version}: this build's version (the jar manifest's Implementation-Version), Tomcat's and Java's. */
final class Version {

    private Version() {
    }

    static String switchboard() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "dev (not run from the built jar)" : version;
    }

    static void print(PrintStream out) {
        out.println("Switchboard " + switchboard());
        out.println("Apache Tomcat " + ServerInfo.getServerNumber() + ", Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor") + ")");
    }
}
