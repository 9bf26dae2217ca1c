package dev.switchboard.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Payara Micro 6 (the jar from Maven Central) running {@code switchboard.war} at
 * {@code /switchboard}, with settings from a {@code --systemproperties} file and the shipped
 * {@code server-config/payara/post-boot-commands.asadmin}. Payara Micro has no undeploy while it
 * runs: its operators stop the instance (SIGTERM), which undeploys the application.
 */
final class PayaraMicroDeployment implements Deployment {

    private final Path microJar;
    private final Path war;

    PayaraMicroDeployment(Path microJar, Path war) {
        this.microJar = microJar;
        this.war = war;
    }

    @Override
    public String name() {
        return "payara";
    }

    @Override
    public String contextPath() {
        return "/switchboard";
    }

    @Override
    public ProcessBuilder prepare(String name, int port, Map<String, String> systemProperties) throws IOException {
        Path folder = Folders.fresh(Deployment.serverFolder(name));
        Path properties = folder.resolve("switchboard.properties");
        Folders.writeProperties(properties, systemProperties, "Switchboard test server settings");
        return new ProcessBuilder(List.of(ServerProcess.javaBinary(), "-Xmx512m", "-jar", microJar.toString(),
                "--deploy", war.toString(),
                "--port", String.valueOf(port),
                "--systemproperties", properties.toString(),
                "--postbootcommandfile", Path.of("server-config", "payara", "post-boot-commands.asadmin")
                        .toAbsolutePath().toString(),
                "--rootdir", folder.resolve("root").toString(),
                "--nocluster", "--disablephonehome"));
    }

    @Override
    public void undeploy(ServerProcess server) throws InterruptedException {
        server.stop();
    }
}
