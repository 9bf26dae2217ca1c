package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class XhrStreamParserTest {

    private static final String PRELUDE = "h".repeat(2048) + "\n";
    private static final String WELCOME = "a[\"{\\\"type\\\":\\\"welcome\\\"}\"]\n";
    private static final String TWO_MESSAGES =
            "a[\"{\\\"data\\\":{\\\"t\\\":5,\\\"seq\\\":1}}\",\"{\\\"data\\\":{\\\"t\\\":6,\\\"seq\\\":2}}\"]\n";

    /** What a stream from Tomcat looks like: each flush one chunk, the end an empty chunk. */
    private static final String STREAM = "HTTP/1.1 200 \r\n"
            + "Content-Type: application/javascript;charset=UTF-8\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Date: Sun, 06 Dec 2026 06:00:00 GMT\r\n\r\n"
            + chunk(PRELUDE + "o\n")
            + chunk(WELCOME)
            + chunk(TWO_MESSAGES)
            + chunk("h\n")
            + "0\r\n\r\n";

    private static final List<String> EVENTS = List.of("started", "message {\\\"type\\\":\\\"welcome\\\"}",
            "message {\\\"data\\\":{\\\"t\\\":5,\\\"seq\\\":1}}", "message {\\\"data\\\":{\\\"t\\\":6,\\\"seq\\\":2}}", "ended");

    @Test
    void aWholeStreamGivesEachMessageWithItsEscapesAndThenItsEnd() {
        assertThat(feed(STREAM, STREAM.length()).events).isEqualTo(EVENTS);
    }

    @Test
    void aStreamSplitAnywhereGivesTheSameEvents() {
        for (int split = 1; split < STREAM.length(); split++) {
            assertThat(feed(STREAM, split).events).as("split at " + split).isEqualTo(EVENTS);
        }
    }

    @Test
    void aFrameSpreadOverChunksWithAnExtensionIsReassembled() {
        String stream = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + chunk("o\na[\"{\\\"t\\\":5,") + Integer.toHexString(13) + ";name=value\r\n" + "\\\"seq\\\":1}\"]\n" + "\r\n"
                + "0\r\nX-Trailer: 1\r\n\r\n";
        for (int split = 1; split < stream.length(); split++) {
            assertThat(feed(stream, split).events).as("split at " + split)
                    .containsExactly("started", "message {\\\"t\\\":5,\\\"seq\\\":1}", "ended");
        }
    }

    @Test
    void aBodyOfAGivenLengthEndsAfterIt() {
        String body = "c[3000,\"Go away!\"]\n";
        Recorder recorder = feed("HTTP/1.1 200 \r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body, 7);
        assertThat(recorder.events).containsExactly("started", "close c[3000,\"Go away!\"]", "ended");
        assertThat(recorder.session.closeAfterResponse).isTrue();
    }

    @Test
    void anotherStatusIsARefusal() {
        Recorder recorder = feed("HTTP/1.1 409 \r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 5);
        assertThat(recorder.events).containsExactly("refused HTTP/1.1 409 ");
    }

    @Test
    void bytesInsideAChunkBeyondItsSizeAreAViolation() {
        Recorder recorder = feed("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n2\r\no\nX\r\n", 200);
        assertThat(recorder.events).containsExactly("started", "violation chunk data longer than its size");
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    /** Feeds {@code text} in reads of at most {@code piece} bytes, carrying over as the client does. */
    private static Recorder feed(String text, int piece) {
        Recorder recorder = new Recorder();
        XhrStreamParser parser = new XhrStreamParser(recorder);
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < all.length && recorder.session.isOpen(); at += piece) {
            int length = Math.min(piece, all.length - at);
            byte[] buffer = new byte[recorder.session.carryLength + length];
            System.arraycopy(recorder.session.carry, 0, buffer, 0, recorder.session.carryLength);
            System.arraycopy(all, at, buffer, recorder.session.carryLength, length);
            try {
                parser.parse(recorder.session, buffer, recorder.session.carryLength, buffer.length);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return recorder;
    }

    private static final class Recorder implements XhrStreamParser.Sink {
        final List<String> events = new ArrayList<>();
        final XhrStreamSession session = new XhrStreamSession(0,
                new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, "token", "channel"), null, new byte[0], "/send");

        @Override
        public void streamStarted(XhrStreamSession s) {
            events.add("started");
        }

        @Override
        public void refused(XhrStreamSession s, String statusLine) {
            events.add("refused " + statusLine);
            s.state = XhrStreamSession.State.CLOSED;
        }

        @Override
        public void message(XhrStreamSession s, byte[] bytes, int off, int len) {
            events.add("message " + new String(bytes, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void closeFrame(XhrStreamSession s, String frame) {
            events.add("close " + frame);
        }

        @Override
        public void streamEnded(XhrStreamSession s) {
            events.add("ended");
        }

        @Override
        public void violation(XhrStreamSession s, String why) {
            events.add("violation " + why);
            s.state = XhrStreamSession.State.CLOSED;
        }
    }
}
