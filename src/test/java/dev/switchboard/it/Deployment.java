package dev.switchboard.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the product under test runs in this test JVM: the standalone jar (the default), or a WAR
 * deployed to a real Tomcat, Payara Micro or WildFly ({@code -Dswitchboard.it.container=...}, set
 * by the {@code containers} Maven profile). The client-side suite is the same for all of them; a
 * deployment only knows how to start its server, where the application answers, and how an
 * operator of that server takes the application out of service.
 */
interface Deployment {

    /** The deployment this test JVM was asked for. */
    static Deployment current() {
        String container = System.getProperty("switchboard.it.container", "");
        return switch (container) {
            case "", "standalone" -> new StandaloneJarDeployment();
            case "tomcat" -> new TomcatDeployment(containerHome(), war());
            case "payara" -> new PayaraMicroDeployment(containerHome(), war());
            case "wildfly" -> new WildFlyDeployment(containerHome(), war());
            default -> throw new IllegalArgumentException("unknown switchboard.it.container: " + container);
        };
    }

    /** What the test reports and logs call this deployment. */
    String name();

    /** The path the application answers under: {@code ""} at the root, else e.g. {@code /switchboard}. */
    String contextPath();

    /** A port for a new server; some servers bind more than their HTTP port and need those free too. */
    default int choosePort() throws IOException {
        return ServerProcess.freePort();
    }

    /**
     * Prepares a fresh server named {@code name} (its own folder under {@code target/}) with the
     * application deployed and {@code systemProperties} set, and returns the command that starts it
     * in the foreground, answering HTTP on {@code port}. SIGTERM to that process stops the server.
     */
    ProcessBuilder prepare(String name, int port, Map<String, String> systemProperties) throws IOException;

    /**
     * Takes the application out of service the way an operator of this server does (undeploy
     * while the server keeps running, or stopping the process where that is the server's way).
     */
    void undeploy(ServerProcess server) throws Exception;

    /** The server's folder for a test server called {@code name}. */
    static Path serverFolder(String name) {
        return Path.of("target", "it-servers", name).toAbsolutePath();
    }

    private static Path containerHome() {
        return Path.of(required("switchboard.it.container.home"));
    }

    private static Path war() {
        return Path.of(required("switchboard.it.war"));
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(property + " is not set (the containers Maven profile sets it)");
        }
        return value;
    }
}
