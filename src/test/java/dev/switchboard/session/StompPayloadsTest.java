package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StompPayloadsTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final StompPayloads payloads = new StompPayloads(JSONB);

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    @Test
    void aJsonBody500LevelsDeepIsCarriedAsJson() {
        String json = "[".repeat(500) + "]".repeat(500);

        assertThat(payloads.inbound(bytes(json), "application/json"))
                .isEqualTo(new StompPayloads.InboundBody.Json(json));
    }

    @Test
    void aJsonBodyNestedAThousandLevelsDeepIsRefusedNamingTheLimit() {
        assertThatThrownBy(() -> payloads.inbound(bytes("[".repeat(1_000) + "]".repeat(1_000)), "application/json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the body is declared application/json but is JSON nested deeper than 512 levels");
    }

    @Test
    void aDeeplyBracketedTextBodyIsJustText() {
        String text = "[".repeat(1_000);

        assertThat(payloads.inbound(bytes(text), "text/plain"))
                .isEqualTo(new StompPayloads.InboundBody.Json(JSONB.toJson(text)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
