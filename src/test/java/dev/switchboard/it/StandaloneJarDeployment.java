package dev.switchboard.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code java -jar target/switchboard-standalone.jar}: the embedded default, at the root path. */
final class StandaloneJarDeployment implements Deployment {

    @Override
    public String name() {
        return "standalone";
    }

    @Override
    public String contextPath() {
        return "";
    }

    @Override
    public ProcessBuilder prepare(String name, int port, Map<String, String> systemProperties) {
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaBinary(), "-Xmx512m"));
        command.add("-Dswitchboard.port=" + port);
        systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!systemProperties.containsKey("switchboard.dev.secret.file")) {
            // A dev-mode server's secret file in the test's own folder, not the developer's home.
            command.add("-Dswitchboard.dev.secret.file=" + Deployment.serverFolder(name).resolve("dev-secret"));
        }
        command.add("-jar");
        command.add(jar());
        return new ProcessBuilder(command);
    }

    /** The standalone server has no undeploy: an operator stops the process (SIGTERM). */
    @Override
    public void undeploy(ServerProcess server) throws InterruptedException {
        server.stop();
    }

    private static String jar() {
        String jar = System.getProperty("switchboard.standalone.jar", "target/switchboard-standalone.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " not found: integration tests run after 'mvn package' (use mvn verify)");
        }
        return jar;
    }
}
