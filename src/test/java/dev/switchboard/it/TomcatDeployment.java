package dev.switchboard.it;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real Apache Tomcat 10.1 (the distribution from Maven Central) running
 * {@code switchboard-servlet.war} at {@code /switchboard}: one CATALINA_BASE per test server with
 * the shipped {@code server-config/tomcat/server.xml}, settings in {@code conf/catalina.properties},
 * started with {@code catalina.sh run}. Undeploys through Tomcat's manager application, as a
 * deployment script would.
 */
final class TomcatDeployment implements Deployment {

    private static final String MANAGER_USER = "it-deployer";
    private static final String MANAGER_PASSWORD = "it-deployer-password";

    private final Path home;
    private final Path war;

    TomcatDeployment(Path home, Path war) {
        this.home = home;
        this.war = war;
    }

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public String contextPath() {
        return "/switchboard";
    }

    @Override
    public ProcessBuilder prepare(String name, int port, Map<String, String> systemProperties) throws IOException {
        Path base = Folders.fresh(Deployment.serverFolder(name));
        for (String folder : List.of("logs", "temp", "work", "webapps")) {
            Files.createDirectories(base.resolve(folder));
        }
        Folders.copyTree(home.resolve("conf"), base.resolve("conf"));
        Files.copy(Path.of("server-config", "tomcat", "server.xml"), base.resolve("conf/server.xml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path catalinaProperties = base.resolve("conf/catalina.properties");
        Files.writeString(catalinaProperties, "\n" + Files.readString(Path.of("server-config", "tomcat",
                "catalina.properties")), java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> properties = new LinkedHashMap<>(systemProperties);
        properties.put("switchboard.http.port", String.valueOf(port));
        properties.put("switchboard.shutdown.port", "-1"); // stopped with SIGTERM
        appendProperties(catalinaProperties, properties);
        Files.writeString(base.resolve("conf/tomcat-users.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
                  <role rolename="manager-script"/>
                  <user username="%s" password="%s" roles="manager-script"/>
                </tomcat-users>
                """.formatted(MANAGER_USER, MANAGER_PASSWORD));
        Folders.copyTree(home.resolve("webapps/manager"), base.resolve("webapps/manager"));
        Files.copy(war, base.resolve("webapps/switchboard.war"));

        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> environment = builder.environment();
        environment.put("CATALINA_HOME", home.toString());
        environment.put("CATALINA_BASE", base.toString());
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("CATALINA_OPTS", "-Xmx512m");
        environment.remove("CATALINA_PID");
        return builder;
    }

    /** {@code catalina.properties} entries become system properties of the Tomcat process. */
    private static void appendProperties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        try (Writer writer = Files.newBufferedWriter(file, StandardOpenOption.APPEND)) {
            writer.write(System.lineSeparator());
            properties.store(writer, "Switchboard test server settings");
        }
    }

    @Override
    public void undeploy(ServerProcess server) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder()
                .encodeToString((MANAGER_USER + ":" + MANAGER_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/manager/text/undeploy?path=" + contextPath()))
                .header("Authorization", "Basic " + credentials).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().startsWith("OK")) {
            throw new IllegalStateException("Tomcat manager refused the undeploy: " + response.statusCode() + " "
                    + response.body());
        }
    }
}
