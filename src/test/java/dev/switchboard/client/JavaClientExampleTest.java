package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete example of docs/java-client.md is what a user pastes first: it must compile against
 * the client as built, its record must be one JSON-B can fill (a non-public one cannot), and its
 * dependency block must name the client artifact and version this build installs.
 */
class JavaClientExampleTest {

    private static final Path PAGE = Path.of("docs", "java-client.md");
    private static final String MARKER = "<!-- JavaClientExampleTest compiles this block";

    @Test
    void theExampleCompilesAndItsRecordIsFilledByJsonB(@TempDir Path dir) throws Exception {
        String page = Files.readString(PAGE);
        int marker = page.indexOf(MARKER);
        assertThat(marker).as("marker in %s", PAGE).isNotNegative();
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertThat(block.find(marker)).as("a java block after the marker").isTrue();
        Path source = dir.resolve("AgentDesk.java");
        Files.writeString(source, block.group(1));

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = compiler.getTask(diagnostics, null, null,
                List.of("-d", dir.toString(), "-classpath", System.getProperty("java.class.path")), null,
                compiler.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
        assertThat(compiled).as("javac: %s", diagnostics).isTrue();

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
                Jsonb jsonb = JsonbBuilder.create()) {
            Class<?> callType = loader.loadClass("AgentDesk$Call");
            Object call = jsonb.fromJson("{\"caller\":\"+49 30 1234\",\"queue\":\"support\"}", callType);
            Method caller = callType.getMethod("caller");
            assertThat(caller.invoke(call)).isEqualTo("+49 30 1234");
            assertThat(callType.getMethod("queue").invoke(call)).isEqualTo("support");
        }
    }

    @Test
    void theDependencyBlockNamesTheClientArtifactOfThisBuild() throws Exception {
        String page = Files.readString(PAGE);
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(page).contains("<groupId>" + element(pom, "groupId") + "</groupId>\n"
                        + "  <artifactId>switchboard-client</artifactId>\n"
                        + "  <version>" + element(pom, "version") + "</version>")
                .contains("`org.glassfish.tyrus.bundles:tyrus-standalone-client` " + minor(element(pom, "tyrus.version")) + ".x")
                .contains("`org.eclipse:yasson` " + minor(element(pom, "yasson.version")) + ".x");
    }

    /** {@code 2.1.5} as {@code 2.1}: the page names the line, the installed pom the exact version. */
    private static String minor(String version) {
        return version.substring(0, version.indexOf('.', version.indexOf('.') + 1));
    }

    /** The first {@code <name>} element of the pom: the project's own version comes before any other. */
    private static String element(String pom, String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(matcher.find()).as("<%s> in pom.xml", name).isTrue();
        return matcher.group(1);
    }
}
