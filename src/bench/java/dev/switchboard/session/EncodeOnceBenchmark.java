package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.TestDeliveries;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.stomp.StompVersion;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What each recipient of a topic message pays for its frame, with encode-once (the frame made
 * once per delivery and shared) against encoding it for that recipient alone: the native
 * {@code message} frame, and the STOMP MESSAGE frame through {@link StompMessageTemplates}
 * (a recipient whose subscription id was seen already, and one with an id of its own) against
 * the plain encoder of the whole frame ({@code StompMessageForOneRecipient}). A ~100-byte JSON body, as in
 * {@code StompCodecBenchmark}.
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Djmh.args="EncodeOnceBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EncodeOnceBenchmark {

    private static final String BODY = "{\"id\":\"6f1c2a9e-53b0-4d8e\",\"symbol\":\"ACME\",\"price\":123.45,"
            + "\"currency\":\"EUR\",\"side\":\"buy\",\"ts\":1718000000000}";
    private static final Instant TS = Instant.ofEpochMilli(1_718_000_000_000L);

    private Jsonb jsonb;
    private NativeDeliveryEncoder codec;
    private StompMessageTemplates templates;
    private Delivery shared;
    private StompSubscription sameId;
    private StompSubscription ownIdA;
    private StompSubscription ownIdB;
    private long offset;

    @Setup
    public void setUp() {
        jsonb = JsonbBuilder.create();
        codec = new NativeDeliveryEncoder(new NativeFrameCodec(jsonb));
        templates = new StompMessageTemplates(new StompPayloads(jsonb));
        shared = TestDeliveries.toTopic("7f3a9c12-0001-000000000042", "prices.eu", 42, "e1", BODY, TS);
        sameId = new StompSubscription("sub-0", "/topic/prices.eu", "prices.eu", null, StompSubscription.AckMode.AUTO,
                StompVersion.V1_2);
        ownIdA = new StompSubscription("a", "/topic/prices.eu", "prices.eu", null, StompSubscription.AckMode.AUTO,
                StompVersion.V1_2);
        ownIdB = new StompSubscription("b", "/topic/prices.eu", "prices.eu", null, StompSubscription.AckMode.AUTO,
                StompVersion.V1_2);
        String template = templates.frame(shared, StompVersion.V1_2, sameId).text();
        String alone = StompMessageForOneRecipient.encode(shared, sameId, StompVersion.V1_2);
        if (!template.equals(alone)) {
            throw new IllegalStateException("template and plain encoder disagree:\n" + template + "\n" + alone);
        }
        codec.encode(shared);
    }

    @TearDown
    public void tearDown() throws Exception {
        jsonb.close();
    }

    /** A recipient's native frame with encode-once: the frame the first recipient caused. */
    @Benchmark
    public String nativeShared() {
        return codec.encode(shared);
    }

    /** The same frame encoded for one recipient alone (a fresh delivery, nothing cached). */
    @Benchmark
    public String nativeAlone() {
        return codec.encode(TestDeliveries.toTopic("7f3a9c12-0001-000000000042", "prices.eu", ++offset, "e1",
                BODY, TS));
    }

    /** A STOMP recipient whose subscription id the previous recipient had too (stompjs sub-0): one shared string. */
    @Benchmark
    public TextFrame stompTemplateSameId() {
        return templates.frame(shared, StompVersion.V1_2, sameId);
    }

    /** A STOMP recipient with a subscription id of its own: shared rest, its header line spliced in. */
    @Benchmark
    public TextFrame stompTemplateOwnId() {
        templates.frame(shared, StompVersion.V1_2, ownIdA);
        return templates.frame(shared, StompVersion.V1_2, ownIdB); // two recipients per call, ids alternating
    }

    /** The STOMP frame encoded for one recipient alone, by the plain encoder. */
    @Benchmark
    public String stompAlone() {
        return StompMessageForOneRecipient.encode(shared, sameId, StompVersion.V1_2);
    }
}
