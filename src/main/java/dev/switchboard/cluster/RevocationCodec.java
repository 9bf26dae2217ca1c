package dev.switchboard.cluster;

import dev.switchboard.broker.Revocation;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.time.Instant;

/** A revocation as JSON in Redis and on its pub/sub channel: {@code {"id","kind","value","until","createdAt"}} (ms). */
final class RevocationCodec {

    private RevocationCodec() {
    }

    static String encode(Revocation revocation) {
        return Json.createObjectBuilder()
                .add("id", revocation.id())
                .add("kind", revocation.kind().name())
                .add("value", revocation.value())
                .add("until", revocation.until().toEpochMilli())
                .add("createdAt", revocation.createdAt().toEpochMilli())
                .build().toString();
    }

    /** @throws RuntimeException (JSON or enum) if {@code json} is not one */
    static Revocation decode(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            JsonObject object = reader.readObject();
            return new Revocation(object.getString("id"), Revocation.Kind.valueOf(object.getString("kind")),
                    object.getString("value"), Instant.ofEpochMilli(object.getJsonNumber("until").longValue()),
                    Instant.ofEpochMilli(object.getJsonNumber("createdAt").longValue()));
        }
    }
}
