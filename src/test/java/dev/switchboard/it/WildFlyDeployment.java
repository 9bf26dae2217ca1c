package dev.switchboard.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real WildFly (the distribution from Maven Central) running {@code switchboard.war} at
 * {@code /switchboard}: one server base folder per test server, a copy of a template to which the
 * shipped {@code server-config/wildfly/switchboard.cli} was applied once, settings from a
 * {@code --properties} file, all ports moved by {@code jboss.socket.binding.port-offset}.
 * Undeploys with {@code jboss-cli.sh}, as an operator does.
 */
final class WildFlyDeployment implements Deployment {

    /** Ports WildFly's default standalone.xml binds besides HTTP 8080, shifted by the same offset. */
    private static final List<Integer> OTHER_DEFAULT_PORTS = List.of(8443, 9990, 9993, 4712, 4713);
    private static final int DEFAULT_HTTP_PORT = 8080;

    private final Path home;
    private final Path war;

    WildFlyDeployment(Path home, Path war) {
        this.home = home;
        this.war = war;
    }

    @Override
    public String name() {
        return "wildfly";
    }

    @Override
    public String contextPath() {
        return "/switchboard";
    }

    /** A port whose offset from 8080 also leaves WildFly's other ports free. */
    @Override
    public int choosePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = ServerProcess.freePort();
            int offset = port - DEFAULT_HTTP_PORT;
            if (offset > 0 && OTHER_DEFAULT_PORTS.stream().allMatch(p -> p + offset < 65536 && isFree(p + offset))) {
                return port;
            }
        }
        throw new IllegalStateException("no port offset found with all of WildFly's ports free");
    }

    private static boolean isFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public ProcessBuilder prepare(String name, int port, Map<String, String> systemProperties) throws IOException {
        Path folder = Folders.fresh(Deployment.serverFolder(name));
        Path base = folder.resolve("standalone");
        Folders.copyTree(configuredTemplate(), base);
        Files.copy(war, base.resolve("deployments").resolve("switchboard.war"));
        Path properties = folder.resolve("switchboard.properties");
        Folders.writeProperties(properties, systemProperties, "Switchboard test server settings");
        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + (port - DEFAULT_HTTP_PORT),
                "--properties=" + properties.toUri());
        withJavaEnvironment(builder);
        // In the background the script forwards SIGTERM to the server's JVM and waits for it.
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        builder.environment().put("JAVA_OPTS", "-Xmx512m -Djava.net.preferIPv4Stack=true");
        return builder;
    }

    @Override
    public void undeploy(ServerProcess server) throws IOException, InterruptedException {
        int managementPort = 9990 + server.port() - DEFAULT_HTTP_PORT;
        runCli("--connect", "--controller=127.0.0.1:" + managementPort, "--command=undeploy switchboard.war");
    }

    /**
     * The distribution's standalone folder with {@code server-config/wildfly/switchboard.cli}
     * applied (offline, in an embedded server), made once per test JVM.
     */
    private Path configuredTemplate() throws IOException {
        Path template = Deployment.serverFolder("wildfly-template").resolve("standalone");
        Path done = template.resolve(".configured");
        synchronized (WildFlyDeployment.class) {
            if (!Files.exists(done)) {
                Folders.fresh(template);
                Folders.copyTree(home.resolve("standalone"), template);
                try {
                    runCli("--file=" + Path.of("server-config", "wildfly", "switchboard.cli").toAbsolutePath(),
                            "-Djboss.server.base.dir=" + template);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while configuring WildFly", e);
                }
                Files.createFile(done);
            }
        }
        return template;
    }

    private void runCli(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("sh", home.resolve("bin/jboss-cli.sh").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        withJavaEnvironment(builder);
        Process cli = builder.start();
        String output = new String(cli.getInputStream().readAllBytes());
        if (!cli.waitFor(120, TimeUnit.SECONDS) || cli.exitValue() != 0) {
            cli.destroyForcibly();
            throw new IllegalStateException("jboss-cli " + String.join(" ", arguments) + " failed:\n" + output);
        }
    }

    private void withJavaEnvironment(ProcessBuilder builder) {
        builder.environment().put("JBOSS_HOME", home.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    }
}
