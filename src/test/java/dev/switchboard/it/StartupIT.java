package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/** What the README promises about starting the standalone jar. */
class StartupIT {

    @Test
    void withoutAKeyItRunsInDevModeAndPrintsAWorkingTokenAndConsoleUrl() throws Exception {
        try (ServerProcess server = ServerProcess.launch("dev-mode", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> server.output().contains("DEV_TOKEN="));
            String output = server.output();
            Matcher token = Pattern.compile("DEV_TOKEN=(\\S+)").matcher(output);
            assertThat(token.find()).isTrue();
            Matcher console = Pattern.compile("Console: +(http://localhost:" + server.port() + "/\\?token=(\\S+)&channelId=demo\\S*)")
                    .matcher(output);
            assertThat(console.find()).as("console URL in:\n" + output).isTrue();
            assertThat(URLDecoder.decode(console.group(2), StandardCharsets.UTF_8)).isEqualTo(token.group(1));

            try (ChannelClient client = ChannelClient.connect(server, token.group(1), "demo")) {
                JsonObject welcome = client.expect("welcome");
                assertThat(welcome.getString("user")).isEqualTo("dev");
                HttpApi.Response push = new HttpApi(server, token.group(1))
                        .post("/api/v1/channels/demo/messages", "{\"data\":{\"text\":\"hello\"}}");
                assertThat(push.status()).isEqualTo(202);
                assertThat(client.expect("message").getJsonObject("data").getString("text")).isEqualTo("hello");
            }
            assertThat(new HttpApi(server, null).get("/").body()).contains("<html");
            assertThat(URI.create(console.group(1)).getPath()).isEqualTo("/");
        }
    }

    @Test
    void anInvalidKeyStopsStartUpWithOneClearLineAndStatus2() throws Exception {
        ServerProcess server = ServerProcess.launch("bad-secret", Map.of("jwt.secret", "too-short"));
        assertThat(server.awaitExit()).isEqualTo(2);
        assertThat(server.output())
                .contains("Switchboard cannot start: SWITCHBOARD_JWT_SECRET must be at least 32 bytes, it has 9");
    }

    @Test
    void anUnreachableRedisStopsStartUpWithOneLineNamingTheSettingAndStatus2() throws Exception {
        int closedPort = ServerProcess.freePort();
        ServerProcess server = ServerProcess.launch("redis-unreachable", Map.of("jwt.secret", TestTokens.SECRET,
                "redis.uri", "redis://127.0.0.1:" + closedPort));
        assertThat(server.awaitExit()).isEqualTo(2);
        // The application's one log record (a time line and the message), without the container's
        // repetitions of it, a stack trace, or a drain report of a server that never ran.
        assertThat(server.output()).containsPattern("Switchboard cannot start: .*SWITCHBOARD_REDIS_URI")
                .doesNotContain("Switchboard is running").doesNotContain("\tat ").doesNotContain("closed 0 sessions");
        assertThat(server.output().lines()).as(server.output()).hasSizeLessThanOrEqualTo(2);
    }
}
