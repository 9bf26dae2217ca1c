package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JavaScript client is served at {@code /js/switchboard.js} (docs/javascript-client.md) by every
 * WAR, as an ES module a page can import without a build step, and the console imports it from
 * there. Its behaviour is proven by the Node suites in clients/js/test and the browser tests.
 */
@ContainerMatrix
class JavaScriptClientServedIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("js-client", Map.of());

    private final HttpApi http = new HttpApi(server, null);

    @Test
    void theModuleIsServedAsJavaScriptAndIsTheOneInClientsJs() throws Exception {
        HttpApi.Response module = http.get("/js/switchboard.js");

        assertThat(module.status()).isEqualTo(200);
        // Browsers refuse to run a module served with any other type (HTML spec, "JavaScript MIME type").
        assertThat(module.header("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).matches("(text|application)/javascript(;.*)?"));
        assertThat(module.body()).contains("export class SwitchboardClient");
        // One source: what npm publishes from clients/js is what the server serves.
        assertThat(module.body()).isEqualTo(
                Files.readString(Path.of("clients/js/src/switchboard.js"), StandardCharsets.UTF_8));
    }

    @Test
    void theConsoleLoadsItAsAModule() throws Exception {
        HttpApi.Response page = http.get("/");
        HttpApi.Response console = http.get("/console.js");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"console.js\"></script>");
        assertThat(console.status()).isEqualTo(200);
        assertThat(console.body()).contains("import { SwitchboardClient } from './js/switchboard.js';");
    }
}
