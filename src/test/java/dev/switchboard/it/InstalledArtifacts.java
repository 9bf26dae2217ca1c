package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * switchboard-server and switchboard-client as a user's Maven build sees them: the jars in
 * {@code target/} are installed with their poms (as {@code mvn install} installs them) into a
 * local repository of their own, and a user's project that depends on each has its class path
 * resolved there by Maven, every other artifact coming from the developer's local repository as
 * from a remote one. So what the class paths hold is exactly what the installed poms bring, and an
 * earlier install in the developer's repository cannot stand in for them.
 *
 * <p>Runs the Maven that runs the build ({@code switchboard.it.maven}), offline.
 */
final class InstalledArtifacts {

    static final String CLIENT = "switchboard-client";
    static final String SERVER = "switchboard-server";

    private final Path dir;

    private InstalledArtifacts(Path dir) {
        this.dir = dir;
    }

    /** Installs both jars under {@code dir} and resolves a user's class path for each; takes some 30 s. */
    static InstalledArtifacts resolve(Path dir) throws IOException, InterruptedException {
        Path target = Path.of("target").toAbsolutePath();
        Path localRepository = dir.resolve("repository");
        String developerRepository = Path.of(System.getProperty("switchboard.it.localRepository",
                System.getProperty("user.home") + "/.m2/repository")).toUri().toString();
        // A mirror, not a repository: imported BOMs of dependencies are looked up in the super POM's central too.
        Files.writeString(dir.resolve("settings.xml"), """
                <settings>
                  <localRepository>%s</localRepository>
                  <offline>true</offline>
                  <mirrors>
                    <mirror><id>developer-repository</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(localRepository, developerRepository));
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>users</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <modules>
                    <module>client-user</module>
                    <module>server-user</module>
                  </modules>
                </project>
                """);
        // What `mvn install` writes for each (the jar and its pom under the repository's layout),
        // without the install plugin: the test command (`mvn verify`) never fetches that plugin, so
        // a fresh machine would not have it for this offline build.
        for (String artifactId : List.of(SERVER, CLIENT)) {
            Path folder = Files.createDirectories(localRepository.resolve(
                    Path.of("dev", "switchboard", artifactId, projectVersion())));
            String base = artifactId + "-" + projectVersion();
            Files.copy(target.resolve(artifactId + ".jar"), folder.resolve(base + ".jar"));
            Files.copy(target.resolve(Path.of("artifacts", artifactId.replace("switchboard-", ""), "pom.xml")),
                    folder.resolve(base + ".pom"));
        }
        userProject(dir.resolve("client-user"), CLIENT);
        userProject(dir.resolve("server-user"), SERVER);

        List<String> command = List.of(System.getProperty("switchboard.it.maven", "mvn"), "-B", "-q",
                "-s", dir.resolve("settings.xml").toString(), "-Daether.offline.protocols=file",
                "-Dmdep.outputFile=classpath.txt", "-Dmdep.includeScope=runtime", "validate",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath");
        Process maven = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("maven.log").toFile()).start();
        maven.getOutputStream().close();
        if (!maven.waitFor(5, TimeUnit.MINUTES)) {
            maven.destroyForcibly();
            throw new AssertionError("Maven still running after 5 minutes: " + command);
        }
        assertThat(maven.exitValue()).as("%s:%n%s", command, Files.readString(dir.resolve("maven.log"))).isZero();
        return new InstalledArtifacts(dir);
    }

    /** A user's project with one dependency: {@code dev.switchboard:<artifactId>} at this build's version. */
    private static void userProject(Path project, String artifactId) throws IOException {
        Files.createDirectories(project);
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>%1$s-user</artifactId>
                  <version>1</version>
                  <dependencies>
                    <dependency>
                      <groupId>dev.switchboard</groupId>
                      <artifactId>%1$s</artifactId>
                      <version>%2$s</version>
                    </dependency>
                  </dependencies>
                </project>
                """.formatted(artifactId, projectVersion()));
    }

    /** The version this build gives its artifacts (set by the failsafe configuration). */
    static String projectVersion() {
        return System.getProperty("switchboard.it.version", "0.1.0-SNAPSHOT");
    }

    /** The run-time class path Maven resolved for a project depending on {@code artifactId} alone. */
    List<Path> classPathOf(String artifactId) throws IOException {
        String text = Files.readString(dir.resolve(artifactId.replace("switchboard-", "") + "-user/classpath.txt"),
                StandardCharsets.UTF_8).strip();
        return Arrays.stream(text.split(File.pathSeparator)).map(Path::of).toList();
    }
}
