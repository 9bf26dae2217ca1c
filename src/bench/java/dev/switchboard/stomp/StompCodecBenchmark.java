package dev.switchboard.stomp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decode and encode of a typical ~200-byte STOMP 1.2 MESSAGE frame (destination, subscription,
 * message-id, content-type, content-length and a ~100-byte JSON body).
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec} (see the {@code bench} profile in pom.xml).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StompCodecBenchmark {

    private static final String BODY = "{\"id\":\"6f1c2a9e-53b0-4d8e\",\"symbol\":\"ACME\",\"price\":123.45,"
            + "\"currency\":\"EUR\",\"side\":\"buy\",\"ts\":1718000000000}";

    private StompFrame frame;
    private byte[] wire;
    private String wireText;
    private StompDecoder decoder;

    @Setup
    public void setUp() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        frame = new StompFrame(StompCommand.MESSAGE, StompHeaders.builder()
                .add("destination", "/topic/prices.eu")
                .add("subscription", "sub-0")
                .add("message-id", "7f3a9c12-0001-000000000042")
                .add("content-type", "application/json")
                .add("content-length", Integer.toString(body.length))
                .build(), body);
        wire = StompEncoder.encode(frame, StompVersion.V1_2);
        wireText = StompEncoder.encodeText(frame, StompVersion.V1_2);
        decoder = new StompDecoder(StompLimits.DEFAULT);
        StompDecoder.Result check = decoder.decode(ByteBuffer.wrap(wire));
        if (check.error() != null || !check.frames().equals(java.util.List.of(frame))) {
            throw new IllegalStateException("benchmark frame does not round-trip: " + check);
        }
    }

    /** One WebSocket message holding one frame, as bytes (a binary message, or text already in UTF-8). */
    @Benchmark
    public StompDecoder.Result decode() {
        return decoder.decode(ByteBuffer.wrap(wire));
    }

    /** The same from a text message's String, including the String to UTF-8 conversion. */
    @Benchmark
    public StompDecoder.Result decodeText() {
        return decoder.decode(ByteBuffer.wrap(wireText.getBytes(StandardCharsets.UTF_8)));
    }

    @Benchmark
    public byte[] encode() {
        return StompEncoder.encode(frame, StompVersion.V1_2);
    }

    /** For a WebSocket text message. */
    @Benchmark
    public String encodeText() {
        return StompEncoder.encodeText(frame, StompVersion.V1_2);
    }

    /** The size of the benchmark frame, for the report. */
    public static void main(String[] args) {
        StompCodecBenchmark benchmark = new StompCodecBenchmark();
        benchmark.setUp();
        System.out.println(benchmark.wire.length + " bytes, body " + BODY.length() + " bytes");
    }
}
