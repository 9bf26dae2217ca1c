package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A WAR deployed without a token key refuses to start and says why in one log line: dev mode
 * (a generated secret) is for the standalone jar only. Runs on the servers of the container
 * matrix; against the standalone jar the same settings start dev mode ({@link StartupIT}).
 */
@Tag(WarWithoutKeyIT.TAG)
class WarWithoutKeyIT {

    /** Tests that only a deployed WAR can pass; the standalone run leaves them out. */
    static final String TAG = "deployed-war";

    @Test
    void withoutAKeyTheApplicationDoesNotStartAndTheLogSaysWhy() throws Exception {
        try (ServerProcess server = ServerProcess.launch("war-without-key", Map.of("api.key", "some-key"))) {
            await().atMost(Duration.ofSeconds(120)).until(() -> server.output().contains("Switchboard cannot start: "));
            assertThat(server.output()).contains(
                    "Switchboard cannot start: No token key configured: set SWITCHBOARD_JWT_SECRET");
            // The server itself runs on (its connector may open after the failed deployment); the
            // application's paths are not there.
            HttpApi anonymous = new HttpApi(server, null);
            int status = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> anonymous.get("/health/ready").status(), answered -> true);
            assertThat(status).isEqualTo(404);
        }
    }
}
