package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The artifacts {@code mvn install} installs for users (docs/library.md, docs/java-client.md), as a
 * user's build gets them ({@link InstalledArtifacts}): the Java client works with nothing but its
 * own declared dependencies, and the server jar carries into another WAR what Switchboard's WAR has.
 */
class ArtifactsIT {

    private static final Path TARGET = Path.of("target");
    private static final Path CLIENT_JAR = TARGET.resolve("switchboard-client.jar");
    private static final Path SERVER_JAR = TARGET.resolve("switchboard-server.jar");
    private static final Path WAR = TARGET.resolve("switchboard.war");
    private static final Path WEBAPP = Path.of("src", "main", "webapp");

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("artifacts", Map.of());

    @TempDir
    static Path dir;

    private static InstalledArtifacts installed;

    @BeforeAll
    static void installAndResolve() throws Exception {
        installed = InstalledArtifacts.resolve(Files.createDirectories(dir.resolve("maven")));
    }

    @Test
    void theClientJarHoldsTheProtocolPackageAndTheClientAndNoServerClass() throws IOException {
        Set<String> packages = new TreeSet<>();
        for (String name : entryNames(CLIENT_JAR)) {
            if (name.endsWith(".class")) {
                packages.add(name.substring(0, name.lastIndexOf('/')));
            }
        }
        assertThat(packages).containsExactly("dev/switchboard/client", "dev/switchboard/protocol");
    }

    @Test
    void aProgramBuiltOnTheClientArtifactAndItsDependenciesAloneReceivesAPush() throws Exception {
        List<Path> classPath = installed.classPathOf(InstalledArtifacts.CLIENT);
        assertThat(classPath).as("resolved from the installed pom")
                .allSatisfy(jar -> assertThat(jar).startsWith(dir.resolve("maven/repository")))
                .filteredOn(jar -> jar.getFileName().toString().startsWith("switchboard"))
                .extracting(jar -> jar.getFileName().toString())
                .containsExactly("switchboard-client-" + InstalledArtifacts.projectVersion() + ".jar");

        Path program = Files.createDirectories(dir.resolve("program"));
        Path source = program.resolve("AgentDesk.java");
        Files.writeString(source, """
                import dev.switchboard.client.SwitchboardClient;
                import java.net.URI;
                import java.util.concurrent.CompletableFuture;
                import java.util.concurrent.TimeUnit;

                public class AgentDesk {
                    public static void main(String[] args) throws Exception {
                        CompletableFuture<String> call = new CompletableFuture<>();
                        try (SwitchboardClient client = SwitchboardClient.builder(URI.create(args[0]))
                                .token(args[1]).channelId(args[2])
                                .listener(message -> call.complete(message.data().toString()))
                                .build()) {
                            client.connect().get(30, TimeUnit.SECONDS);
                            System.out.println("received " + call.get(60, TimeUnit.SECONDS));
                        }
                    }
                }
                """);
        String classPathText = classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = compiler.getTask(diagnostics, null, null,
                List.of("-d", program.toString(), "-classpath", classPathText), null,
                compiler.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
        assertThat(compiled).as("javac against the client's class path: %s", diagnostics).isTrue();

        Path output = program.resolve("output.txt");
        Process desk = new ProcessBuilder(ServerProcess.javaBinary(), "-cp",
                program + File.pathSeparator + classPathText, "AgentDesk",
                "ws://127.0.0.1:" + server.port(), TestTokens.token("agent-7"), "artifact-desk")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            desk.getOutputStream().close();
            HttpApi api = HttpApi.withApiKey(server);
            // 404 until the program's session holds the channel; the first 202 is its message.
            await("the program's session on channel artifact-desk").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !desk.isAlive()
                            || api.post("/api/v1/channels/artifact-desk/messages",
                                    "{\"data\":{\"caller\":\"+49 30 1234\"}}").status() == 202);
            assertThat(desk.waitFor(60, TimeUnit.SECONDS)).as("program finished").isTrue();
            String printed = Files.readString(output);
            assertThat(desk.exitValue()).as(printed).isZero();
            assertThat(printed).contains("received {\"caller\":\"+49 30 1234\"}");
        } finally {
            desk.destroyForcibly();
        }
    }

    @Test
    void theServerArtifactBringsTheLibrariesSwitchboardsWarBundles() throws IOException {
        List<Path> classPath = installed.classPathOf(InstalledArtifacts.SERVER);
        assertThat(classPath).allSatisfy(jar -> assertThat(jar).startsWith(dir.resolve("maven/repository")));
        Set<String> resolved = classPath.stream().map(jar -> jar.getFileName().toString())
                .filter(name -> !name.equals("switchboard-server-" + InstalledArtifacts.projectVersion() + ".jar"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> bundled = entryNames(WAR).stream()
                .filter(name -> name.startsWith("WEB-INF/lib/") && name.endsWith(".jar"))
                .map(name -> name.substring("WEB-INF/lib/".length()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(bundled).isNotEmpty();
        assertThat(resolved).as("a user's WAR gets, besides switchboard-server").isEqualTo(bundled);
    }

    @Test
    void theServerJarCarriesWhatAWarReadsFromALibraryJar() throws IOException {
        List<String> entries = entryNames(SERVER_JAR);
        assertThat(entries).contains("META-INF/beans.xml", "META-INF/web-fragment.xml",
                "META-INF/services/jakarta.enterprise.inject.spi.Extension",
                "META-INF/resources/index.html", "META-INF/resources/operator.html",
                "META-INF/resources/js/switchboard.js",
                "dev/switchboard/transport/NativeChannelEndpoint.class", "dev/switchboard/api/ApiServlet.class",
                "dev/switchboard/protocol/NativeFrameCodec.class");
        assertThat(entries).as("the launcher and the Java client are no part of a WAR")
                .noneMatch(name -> name.startsWith("dev/switchboard/standalone/")
                        || name.startsWith("dev/switchboard/client/"));
        try (ZipFile jar = new ZipFile(SERVER_JAR.toFile())) {
            assertThat(text(jar, "META-INF/services/jakarta.enterprise.inject.spi.Extension").strip())
                    .isEqualTo("dev.switchboard.handlers.MessageMappingExtension");
            assertThat(text(jar, "META-INF/beans.xml")).contains("bean-discovery-mode=\"annotated\"");
            try (Stream<Path> pages = Files.walk(WEBAPP)) {
                for (Path page : pages.filter(Files::isRegularFile).toList()) {
                    String name = WEBAPP.relativize(page).toString().replace(File.separatorChar, '/');
                    if (!name.startsWith("WEB-INF/")) {
                        assertThat(bytes(jar, "META-INF/resources/" + name)).as(name).isEqualTo(Files.readAllBytes(page));
                    }
                }
            }
            assertThat(bytes(jar, "META-INF/resources/js/switchboard.js"))
                    .isEqualTo(Files.readAllBytes(Path.of("clients", "js", "src", "switchboard.js")));
        }
    }

    @Test
    void theWebFragmentSetsWhatTheWarsWebXmlSets() throws Exception {
        Document webXml = xml(Files.readAllBytes(WEBAPP.resolve("WEB-INF/web.xml")));
        Document fragment;
        try (ZipFile jar = new ZipFile(SERVER_JAR.toFile())) {
            fragment = xml(bytes(jar, "META-INF/web-fragment.xml"));
        }
        assertThat(fragment.getDocumentElement().getLocalName()).isEqualTo("web-fragment");
        assertThat(contextParams(fragment)).isNotEmpty().isEqualTo(contextParams(webXml));
        assertThat(errorPages(fragment)).containsExactly("/_error").isEqualTo(errorPages(webXml));
        assertThat(webXml.getDocumentElement().getElementsByTagNameNS("*", "servlet").getLength())
                .as("servlets are registered by annotations, so a library jar registers them too").isZero();
        assertThat(webXml.getDocumentElement().getElementsByTagNameNS("*", "filter").getLength()).isZero();
        assertThat(webXml.getDocumentElement().getElementsByTagNameNS("*", "listener").getLength()).isZero();
    }

    private static Map<String, String> contextParams(Document document) {
        Map<String, String> params = new LinkedHashMap<>();
        NodeList nodes = document.getElementsByTagNameNS("*", "context-param");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element param = (Element) nodes.item(i);
            params.put(child(param, "param-name"), child(param, "param-value"));
        }
        return params;
    }

    private static List<String> errorPages(Document document) {
        List<String> locations = new ArrayList<>();
        NodeList nodes = document.getElementsByTagNameNS("*", "error-page");
        for (int i = 0; i < nodes.getLength(); i++) {
            locations.add(child((Element) nodes.item(i), "location"));
        }
        return locations;
    }

    private static String child(Element element, String name) {
        return element.getElementsByTagNameNS("*", name).item(0).getTextContent().strip();
    }

    private static Document xml(byte[] bytes) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
    }

    private static List<String> entryNames(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    private static byte[] bytes(ZipFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertThat(entry).as("%s in %s", name, jar.getName()).isNotNull();
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static String text(ZipFile jar, String name) throws IOException {
        return new String(bytes(jar, name), StandardCharsets.UTF_8);
    }
}
