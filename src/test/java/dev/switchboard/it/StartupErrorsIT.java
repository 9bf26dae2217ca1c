package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each bad setting stops the standalone jar with one line that names the setting, what is wrong
 * with its value and how to fix it, and exit status 2: nothing else, no stack trace, no container
 * log, no "closed 0 sessions" from a drain of a server that never ran (issue 16).
 */
class StartupErrorsIT {

    private static final String SECRET = TestTokens.SECRET;

    /** Starts the jar with {@code settings}, expects exit status 2, and returns its output's lines. */
    private static List<String> failedStart(String name, Map<String, String> settings) throws Exception {
        ServerProcess server = ServerProcess.launch(name, settings);
        assertThat(server.awaitExit()).as("exit status; output:\n" + server.output()).isEqualTo(2);
        return server.output().lines().toList();
    }

    @Test
    void aPortThatIsNotANumber() throws Exception {
        assertThat(failedStart("bad-port", Map.of("port", "abc", "jwt.secret", SECRET))).containsExactly(
                "Switchboard cannot start: Invalid value for SWITCHBOARD_PORT: 'abc'; set a whole number from 0 to 65535");
    }

    @Test
    void aSecretThatIsTooShort() throws Exception {
        assertThat(failedStart("short-secret", Map.of("jwt.secret", "too-short"))).containsExactly(
                "Switchboard cannot start: SWITCHBOARD_JWT_SECRET must be at least 32 bytes, it has 9; set a random one,"
                        + " e.g. the output of: openssl rand -base64 32");
    }

    @Test
    void aKeyFileThatCannotBeRead() throws Exception {
        Path missing = Path.of("target", "no-such-key.pem").toAbsolutePath();
        assertThat(failedStart("missing-key", Map.of("jwt.public-key", missing.toString()))).containsExactly(
                "Switchboard cannot start: SWITCHBOARD_JWT_PUBLIC_KEY file " + missing + " cannot be read (no such file);"
                        + " set it to a PEM public key file that this user can read");
    }

    @Test
    void anOriginListThatDoesNotParse() throws Exception {
        assertThat(failedStart("bad-origins", Map.of("jwt.secret", SECRET,
                "allowed.origins", "https://app.example.com;https://admin.example.com"))).containsExactly(
                "Switchboard cannot start: SWITCHBOARD_ALLOWED_ORIGINS has 'https://app.example.com;https://admin.example.com',"
                        + " which is not an origin; set a comma-separated list such as"
                        + " https://app.example.com,https://admin.example.com (or * for any origin)");
    }

    @Test
    void aPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();
            List<String> lines = failedStart("port-in-use", Map.of("jwt.secret", SECRET, "port", String.valueOf(port)));
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).startsWith("Switchboard cannot start: SWITCHBOARD_PORT " + port
                    + " is in use by another process (").endsWith("); stop that process or set SWITCHBOARD_PORT to a free port");
        }
    }

    @Test
    void withSwitchboardDebugTheStackTraceFollowsTheLine() throws Exception {
        ServerProcess server = ServerProcess.launch("bad-port-debug", Map.of("port", "abc", "jwt.secret", SECRET,
                "debug", "1"));
        assertThat(server.awaitExit()).isEqualTo(2);
        assertThat(server.output()).startsWith("Switchboard cannot start: Invalid value for SWITCHBOARD_PORT: 'abc'")
                .contains("java.lang.NumberFormatException").contains("\tat ");
    }
}
