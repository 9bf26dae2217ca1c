package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every command in the README pastes as it is: its {@code sh}/{@code bash} blocks are run with
 * bash against the built standalone jar, as a newcomer would run them.
 *
 * <p>A block may be left out only when an HTML comment on the line before says why:
 * {@code <!-- readme-test: server -->} (it starts the long-running server: this test starts the
 * server itself with that block's own command, the part after its last {@code &&}, which follows
 * the build) or {@code <!-- readme-test: build -->} (it is the build this test runs inside:
 * {@code mvn -B verify}, {@code .ci/run}). Every other block runs in a second shell, from the
 * repository root, with {@code DEV_TOKEN} set as pasting the server's {@code DEV_TOKEN=…} line
 * sets it, and must exit with status 0.
 *
 * <p>The one substitution is the port: the server runs on a free port, and
 * {@code localhost:8080} in a block becomes that port, as it does for a user who set
 * {@code SWITCHBOARD_PORT}. Nothing else of a block is changed.
 */
class ReadmeShellBlocksIT {

    private static final Path README = Path.of("README.md");
    private static final Pattern FENCE = Pattern.compile("^```(sh|bash)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!-- readme-test: (\\w+) -->$");
    /** A {@code <placeholder>}: in a shell, {@code <} is a redirect, so it does not paste. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Za-z][^<>\n]*>");
    private static final Pattern CURL_BODY = Pattern.compile("-d '([^']*)'");
    private static final List<String> BUILD_COMMANDS = List.of("mvn -B verify", ".ci/run");

    /** A shell block of the README: its text, its first line's number, and its marker if any. */
    record Block(int line, String marker, String text) {
    }

    @Test
    void everyShellBlockOfTheReadmePastesAsItIsAgainstTheBuiltJar() throws Exception {
        List<Block> blocks = shellBlocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        for (Block block : blocks) {
            assertThat(block.text()).as("README line %d pastes as it is", block.line()).doesNotContainPattern(PLACEHOLDER);
            assertThat(block.marker()).as("README line %d: unknown readme-test marker", block.line())
                    .isIn(null, "server", "build");
            if ("build".equals(block.marker())) {
                assertThat(block.text().strip()).as("README line %d: only the build itself may be left out", block.line())
                        .isIn(BUILD_COMMANDS);
            }
        }
        List<Block> servers = blocks.stream().filter(block -> "server".equals(block.marker())).toList();
        List<Block> runnable = blocks.stream().filter(block -> block.marker() == null).toList();
        assertThat(servers).as("the README's one command that starts the server").hasSize(1);
        assertThat(runnable).as("README blocks this test runs").isNotEmpty();

        String serverCommand = servers.get(0).text().strip();
        assertThat(serverCommand).as("the server block builds, then starts the jar").contains("&& ");
        String startCommand = serverCommand.substring(serverCommand.lastIndexOf("&& ") + 3);

        int port = ServerProcess.freePort();
        Path log = Files.createDirectories(Path.of("target", "it-logs", "standalone")).resolve("readme-server.log");
        ProcessBuilder builder = bash(startCommand).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SWITCHBOARD_"));
        builder.environment().put("SWITCHBOARD_PORT", Integer.toString(port));
        Process server = builder.start();
        try {
            await("the server started by the README's command prints DEV_TOKEN and a curl line (log: " + log + ")")
                    .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!server.isAlive()) {
                            throw new IllegalStateException("server exited:\n" + Files.readString(log));
                        }
                        String printed = Files.readString(log);
                        return printed.contains("DEV_TOKEN=") && CURL_BODY.matcher(printed).find();
                    });
            String banner = Files.readString(log);
            Matcher token = Pattern.compile("(?m)^DEV_TOKEN=(\\S+)$").matcher(banner);
            assertThat(token.find()).as("DEV_TOKEN line in:\n" + banner).isTrue();
            String devToken = token.group(1);

            // The console the README says to open: a session on channel demo with the printed token.
            URI demo = URI.create("ws://127.0.0.1:" + port + "/ws/channel?token=" + devToken + "&channelId=demo");
            try (ChannelClient console = ChannelClient.connect(demo, null)) {
                console.expect("welcome");
                for (Block block : runnable) {
                    String text = block.text().replace("localhost:8080", "localhost:" + port);
                    String output = run(text, devToken, block);
                    Matcher body = CURL_BODY.matcher(block.text());
                    if (block.text().contains("/api/v1/channels/demo/messages") && body.find()) {
                        assertThat(body.group(1)).as("the README's curl body is the one the server prints")
                                .isEqualTo(bodyPrintedIn(banner));
                        assertThat(output).as("the push's answer: 202 with the message id and channel")
                                .contains("\"channelId\":\"demo\"").contains("\"id\":");
                        JsonObject message = console.awaitFrame("message");
                        assertThat(message.getString("channel")).isEqualTo("demo");
                        assertThat(message.getJsonObject("data").toString()).isEqualTo(
                                ChannelClient.JSONB.fromJson(body.group(1), JsonObject.class).getJsonObject("data").toString());
                    }
                }
            }
        } finally {
            server.descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
    }

    /** The {@code sh}/{@code bash} fenced blocks of {@code lines}, each with the marker on the line before it. */
    static List<Block> shellBlocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!FENCE.matcher(lines.get(i)).matches()) {
                continue;
            }
            String marker = null;
            if (i > 0) {
                Matcher m = MARKER.matcher(lines.get(i - 1).strip());
                if (m.matches()) {
                    marker = m.group(1);
                }
            }
            StringBuilder text = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).startsWith("```")) {
                text.append(lines.get(j)).append('\n');
                j++;
            }
            blocks.add(new Block(i + 2, marker, text.toString()));
            i = j;
        }
        return blocks;
    }

    /** Runs {@code text} with bash from the repository root, as pasted into a second shell; returns its output. */
    private static String run(String text, String devToken, Block block) throws IOException, InterruptedException {
        Path output = Files.createTempFile("readme-block-", ".out");
        try {
            ProcessBuilder builder = bash(text).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(variable -> variable.startsWith("SWITCHBOARD_"));
            builder.environment().put("DEV_TOKEN", devToken);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("README block at line " + block.line() + " still running after 60 s:\n" + text);
            }
            String printed = Files.readString(output);
            assertThat(process.exitValue()).as("exit status of the README block at line %d:%n%s%noutput:%n%s",
                    block.line(), text, printed).isZero();
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** {@code bash -e -c text} (stop at the first failing command), with the test's own JDK first on the PATH (the README's {@code java}). */
    private static ProcessBuilder bash(String text) {
        ProcessBuilder builder = new ProcessBuilder("bash", "-e", "-c", text);
        Map<String, String> environment = builder.environment();
        String javaBin = Path.of(ServerProcess.javaBinary()).getParent().toString();
        environment.put("PATH", javaBin + java.io.File.pathSeparator + environment.getOrDefault("PATH", ""));
        return builder;
    }

    /** The {@code -d '…'} body of the curl line the server printed at start-up. */
    private static String bodyPrintedIn(String banner) {
        Matcher body = CURL_BODY.matcher(banner);
        assertThat(body.find()).as("a curl line with a body in:\n" + banner).isTrue();
        return body.group(1);
    }
}
