package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands of the standalone jar (docs/cli.md), run as a user runs them. */
class CommandLineIT {

    @TempDir
    Path dir;

    /** What a command printed and its exit status. */
    private record Run(int status, String out, String err) {
    }

    /** {@code java [-Dswitchboard.<key>=<value>...] -jar switchboard-standalone.jar args}, no SWITCHBOARD_ variables. */
    private static Run run(Map<String, String> settings, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaBinary()));
        settings.forEach((key, value) -> command.add("-Dswitchboard." + key + "=" + value));
        command.add("-jar");
        command.add(System.getProperty("switchboard.standalone.jar", "target/switchboard-standalone.jar"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SWITCHBOARD_"));
        Process process = builder.start();
        process.getOutputStream().close();
        // Small outputs: read both streams whole once the process is done (they fit the pipe buffers).
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command still running after 60 s: " + command);
        }
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommandAndExitsWith0() throws Exception {
        Run help = run(Map.of(), "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("Usage: java -jar switchboard-standalone.jar [COMMAND] [OPTIONS]")
                .contains("token", "--sub USER", "--channels", "--roles", "--ttl", "check-config", "version");
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        Run version = run(Map.of(), "version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).containsPattern("^Switchboard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n")
                .contains("Apache Tomcat 10.1.");
    }

    @Test
    void anUnknownCommandOrOptionIsOneLineAndStatus2() throws Exception {
        Run unknown = run(Map.of(), "serve-please");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("switchboard: unknown command 'serve-please'; see --help\n");
        Run noSubject = run(Map.of(), "token", "--channels", "a");
        assertThat(noSubject.status()).isEqualTo(2);
        assertThat(noSubject.err()).isEqualTo("switchboard token: option --sub is required; see --help\n");
        assertThat(noSubject.out()).isEmpty();
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
        Run check = run(Map.of("jwt.secret", TestTokens.SECRET, "api.key", "api-key-never-shown", "port", "9123",
                "redis.uri", "redis://app:redis-password@cache.example:6379"), "check-config");
        assertThat(check.status()).as(check.err()).isZero();
        assertThat(check.out()).startsWith("Configuration is valid.\n")
                .contains("  SWITCHBOARD_PORT=9123  (system property switchboard.port)", "  port = 9123",
                        "  jwtSecret = ******", "  apiKey = ******", "redis://app:******@cache.example:6379")
                .doesNotContain(TestTokens.SECRET).doesNotContain("api-key-never-shown").doesNotContain("redis-password");
    }

    @Test
    void checkConfigWithABadSettingIsOneLineAndStatus2() throws Exception {
        Run check = run(Map.of("jwt.secret", TestTokens.SECRET, "history.size", "lots"), "check-config");
        assertThat(check.status()).isEqualTo(2);
        assertThat(check.err()).isEqualTo("Configuration is invalid: Invalid value for SWITCHBOARD_HISTORY_SIZE: 'lots';"
                + " set a whole number from 0 to 10000000\n");
        assertThat(check.out()).isEmpty();
    }

    @Test
    void aTokenMintedWithTheDevSecretOpensItsChannelOnADevModeServerAndNoOther() throws Exception {
        Path devSecret = dir.resolve("switchboard").resolve("dev-secret");
        try (ServerProcess server = ServerProcess.start("cli-dev-mode", Map.of("jwt.secret", "", "api.key", "",
                "dev.secret.file", devSecret.toString()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.output().contains("DEV_TOKEN="));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(devSecret))).isEqualTo("rw-------");

            Run minted = run(Map.of("dev.secret.file", devSecret.toString()),
                    "token", "--sub", "agent-7", "--channels", "agent-7", "--roles", "publisher", "--ttl", "1h");
            assertThat(minted.status()).as(minted.err()).isZero();
            String token = minted.out().strip();
            assertThat(token).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
            assertThat(minted.err()).contains("signed with the dev-mode secret in " + devSecret);

            try (ChannelClient client = ChannelClient.connect(server, token, "agent-7")) {
                JsonObject welcome = client.expect("welcome");
                assertThat(welcome.getString("user")).isEqualTo("agent-7");
            }
            assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(server, token, "agent-8"), null))
                    .isEqualTo(403);

            // The same secret given as SWITCHBOARD_JWT_SECRET signs tokens the server accepts too.
            Run withSecret = run(Map.of("jwt.secret", Files.readString(devSecret).strip()), "token", "--sub", "ops");
            assertThat(withSecret.err()).isEmpty();
            try (ChannelClient client = ChannelClient.connect(server, withSecret.out().strip(), "any-channel")) {
                assertThat(client.expect("welcome").getString("user")).isEqualTo("ops");
            }
        }
    }

    @Test
    void tokenWithoutAnyKeyOrDevSecretSaysHowToGetOne() throws Exception {
        Path none = dir.resolve("no-such-dev-secret");
        Run minted = run(Map.of("dev.secret.file", none.toString()), "token", "--sub", "a");
        assertThat(minted.status()).isEqualTo(2);
        assertThat(minted.err()).isEqualTo("switchboard token: There is no dev secret file " + none + "; start the server"
                + " once in dev mode (no SWITCHBOARD_JWT_SECRET) to create it, or set SWITCHBOARD_JWT_SECRET\n");
    }

}
