package dev.switchboard.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class StompEncoderTest {

    // --- layout and content-length ---

    @Test
    void writesCommandHeadersBlankLineBodyAndNulAddingContentLength() {
        StompFrame frame = frame(StompCommand.MESSAGE, "hi", "destination", "/topic/a", "message-id", "7");

        assertThat(text(frame, StompVersion.V1_2))
                .isEqualTo("MESSAGE\ndestination:/topic/a\nmessage-id:7\ncontent-length:2\n\nhi\0");
    }

    @Test
    void aHeaderLineIsEscapedAsTheWholeFrameWouldBe() {
        String id = "a:b\\c\r";
        for (StompVersion version : new StompVersion[] {StompVersion.V1_1, StompVersion.V1_2}) {
            String whole = text(frame(StompCommand.MESSAGE, "", "subscription", id), version);
            String line = StompEncoder.headerLine(StompCommand.MESSAGE, "subscription", id, version);

            assertThat(whole).as("version %s", version).isEqualTo("MESSAGE\n" + line + "\n\0");
        }
        assertThat(StompEncoder.headerLine(StompCommand.MESSAGE, "subscription", "a:b", StompVersion.V1_0))
                .isEqualTo("subscription:a:b\n");
    }

    @Test
    void addsNoContentLengthForAnEmptyBody() {
        assertThat(text(frame(StompCommand.RECEIPT, "", "receipt-id", "1"), StompVersion.V1_2))
                .isEqualTo("RECEIPT\nreceipt-id:1\n\n\0");
    }

    @Test
    void addsNoContentLengthToConnectedWithAnEmptyBody() {
        StompFrame connected = frame(StompCommand.CONNECTED, "", "version", "1.2", "heart-beat", "0,0");

        assertThat(text(connected, StompVersion.V1_2)).isEqualTo("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0");
    }

    @Test
    void keepsADeclaredContentLengthThatMatchesTheBody() {
        StompFrame frame = frame(StompCommand.SEND, "abc", "content-length", "3", "destination", "/a");

        assertThat(text(frame, StompVersion.V1_2)).isEqualTo("SEND\ncontent-length:3\ndestination:/a\n\nabc\0");
    }

    @Test
    void refusesADeclaredContentLengthThatDisagreesWithTheBody() {
        assertThatThrownBy(() -> StompEncoder.encode(frame(StompCommand.SEND, "abc", "content-length", "2"),
                StompVersion.V1_2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content-length");
        assertThatThrownBy(() -> StompEncoder.encode(frame(StompCommand.SEND, "abc", "content-length", "x"),
                StompVersion.V1_2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesBodyWithNulsDelimitedByContentLength() {
        StompFrame frame = new StompFrame(StompCommand.SEND, StompHeaders.EMPTY, new byte[] {0, 1, 0});

        assertThat(StompEncoder.encode(frame, StompVersion.V1_2))
                .isEqualTo(StompDecoderTest.concat(ascii("SEND\ncontent-length:3\n\n"), new byte[] {0, 1, 0, 0}));
    }

    @Test
    void heartBeatIsOneLineFeed() {
        assertThat(StompEncoder.HEARTBEAT).isEqualTo("\n");
    }

    // --- escaping per version ---

    @Test
    void escapesBackslashLineFeedColonAndCarriageReturnInStomp12() {
        StompFrame frame = frame(StompCommand.MESSAGE, "", "a:b", "x\ny\rz\\w:");

        assertThat(text(frame, StompVersion.V1_2)).isEqualTo("MESSAGE\na\\cb:x\\ny\\rz\\\\w\\c\n\n\0");
    }

    @Test
    void escapesAllButCarriageReturnInStomp11() {
        StompFrame frame = frame(StompCommand.MESSAGE, "", "a:b", "x\ny\rz\\w:");

        assertThat(text(frame, StompVersion.V1_1)).isEqualTo("MESSAGE\na\\cb:x\\ny\rz\\\\w\\c\n\n\0");
    }

    @Test
    void doesNotEscapeInStomp10() {
        StompFrame frame = frame(StompCommand.MESSAGE, "", "path", "c:\\dir");

        assertThat(text(frame, StompVersion.V1_0)).isEqualTo("MESSAGE\npath:c:\\dir\n\n\0");
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void neverEscapesConnectOrConnected(StompVersion version) {
        assertThat(text(frame(StompCommand.CONNECTED, "", "server", "a\\b:c"), version))
                .isEqualTo("CONNECTED\nserver:a\\b:c\n\n\0");
        assertThat(text(frame(StompCommand.CONNECT, "", "login", "a\\b"), version))
                .isEqualTo("CONNECT\nlogin:a\\b\n\n\0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r"})
    void refusesLineBreaksThatStomp10CannotEscape(String value) {
        assertThatThrownBy(() -> StompEncoder.encode(frame(StompCommand.MESSAGE, "", "k", value), StompVersion.V1_0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot escape");
    }

    @Test
    void refusesHeaderInjectionIntoConnected() {
        StompFrame connected = frame(StompCommand.CONNECTED, "", "user-name", "bob\nversion:9");

        assertThatThrownBy(() -> StompEncoder.encode(connected, StompVersion.V1_2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesColonInAnUnescapedHeaderName() {
        assertThatThrownBy(() -> StompEncoder.encode(frame(StompCommand.MESSAGE, "", "a:b", "v"), StompVersion.V1_0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colon");
    }

    @Test
    void refusesAnEmptyHeaderName() {
        assertThatThrownBy(() -> StompEncoder.encode(frame(StompCommand.MESSAGE, "", "", "v"), StompVersion.V1_2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesUtf8Headers() {
        StompFrame frame = frame(StompCommand.MESSAGE, "", "destination", "/topic/café-€-😀");

        assertThat(StompEncoder.encode(frame, StompVersion.V1_2))
                .isEqualTo("MESSAGE\ndestination:/topic/café-€-😀\n\n\0".getBytes(StandardCharsets.UTF_8));
    }

    // --- text messages ---

    @Test
    void encodesTextTheSameAsBytes() {
        StompFrame frame = frame(StompCommand.MESSAGE, "{\"price\":\"12 €\"}", "destination", "/topic/ça");

        String text = StompEncoder.encodeText(frame, StompVersion.V1_2);

        assertThat(text.getBytes(StandardCharsets.UTF_8)).isEqualTo(StompEncoder.encode(frame, StompVersion.V1_2));
        assertThat(text).endsWith("content-length:18\n\n{\"price\":\"12 €\"}\0");
    }

    @Test
    void refusesTextForABodyThatIsNotUtf8() {
        StompFrame binary = new StompFrame(StompCommand.MESSAGE, StompHeaders.EMPTY, new byte[] {(byte) 0xff});

        assertThatThrownBy(() -> StompEncoder.encodeText(binary, StompVersion.V1_2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary");
    }

    // --- round trips ---

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void roundTripsATypicalMessage(StompVersion version) {
        StompFrame frame = frame(StompCommand.MESSAGE, "{\"a\":1}", "destination", "/topic/news",
                "subscription", "sub-0", "message-id", "42", "content-type", "application/json");

        assertThat(roundTrip(frame, version)).isEqualTo(withContentLength(frame));
    }

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void roundTripsEscapedCharacters(StompVersion version) {
        StompFrame frame = frame(StompCommand.SEND, "", "we:ird\\name", "line1\nline2:x\\y");

        assertThat(roundTrip(frame, version)).isEqualTo(frame);
    }

    @Test
    void roundTripsCarriageReturnsInStomp12() {
        StompFrame frame = frame(StompCommand.SEND, "", "k\r", "a\r\nb\r");

        assertThat(roundTrip(frame, StompVersion.V1_2)).isEqualTo(frame);
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void roundTripsConnectWithBackslashesUnescaped(StompVersion version) {
        StompFrame connect = frame(StompCommand.CONNECT, "", "accept-version", "1.0,1.1,1.2", "login", "dom\\user",
                "passcode", "a:b");

        assertThat(roundTrip(connect, version)).isEqualTo(connect);
    }

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void roundTripsRandomFrames(StompVersion version) {
        long seed = 20240611L + version.ordinal();
        Random random = new Random(seed);
        StompCommand[] commands = {StompCommand.SEND, StompCommand.MESSAGE, StompCommand.ERROR,
            StompCommand.SUBSCRIBE, StompCommand.RECEIPT, StompCommand.ACK};
        for (int i = 0; i < 2000; i++) {
            StompHeaders.Builder headers = StompHeaders.builder();
            int count = random.nextInt(8);
            for (int h = 0; h < count; h++) {
                headers.add(randomText(random, 1, version), randomText(random, 0, version));
            }
            byte[] body = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(300)];
            for (int b = 0; b < body.length; b++) {
                body[b] = random.nextInt(5) == 0 ? 0 : (byte) random.nextInt(256);
            }
            StompFrame frame = new StompFrame(commands[random.nextInt(commands.length)], headers.build(), body);
            byte[] wire = StompEncoder.encode(frame, version);
            int split = random.nextInt(wire.length + 1);

            StompDecoder decoder = new StompDecoder(StompLimits.DEFAULT);
            decoder.version(version);
            StompDecoder.Result first = decoder.decode(ByteBuffer.wrap(wire, 0, split));
            StompDecoder.Result second = decoder.decode(ByteBuffer.wrap(wire, split, wire.length - split));

            assertThat(first.error()).as("seed %d frame %d: %s", seed, i, frame).isNull();
            assertThat(second.error()).as("seed %d frame %d: %s", seed, i, frame).isNull();
            assertThat(first.frames().isEmpty() ? second.frames() : first.frames())
                    .as("seed %d frame %d split %d", seed, i, split)
                    .containsExactly(withContentLength(frame));
        }
    }

    /**
     * Header text drawn from the characters that need escaping, ASCII and multi-byte UTF-8. In 1.1 a
     * value never ends with CR: 1.1 has no escape for CR and a CR before LF ends the line.
     */
    private static String randomText(Random random, int minLength, StompVersion version) {
        String[] pieces = {":", "\n", "\r", "\\", "\\n", "\\c", "a", "Z", "0", "-", "/", " ", "é", "€", "😀", "\t"};
        StringBuilder text = new StringBuilder();
        int length = minLength + random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        if (version == StompVersion.V1_1) {
            while (text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
                text.setLength(text.length() - 1);
            }
            if (text.length() < minLength) {
                text.append('x');
            }
        }
        return text.toString();
    }

    // --- helpers ---

    private static StompFrame roundTrip(StompFrame frame, StompVersion version) {
        StompDecoder decoder = new StompDecoder(StompLimits.DEFAULT);
        decoder.version(version);
        StompDecoder.Result result = decoder.decode(ByteBuffer.wrap(StompEncoder.encode(frame, version)));
        assertThat(result.error()).isNull();
        assertThat(result.frames()).hasSize(1);
        return result.frames().get(0);
    }

    /** The frame as a decoder sees it: with the content-length the encoder adds to a non-empty body. */
    private static StompFrame withContentLength(StompFrame frame) {
        if (frame.body().length == 0 || frame.header("content-length") != null) {
            return frame;
        }
        return new StompFrame(frame.command(),
                frame.headers().toBuilder().add("content-length", Integer.toString(frame.body().length)).build(),
                frame.body());
    }

    private static StompFrame frame(StompCommand command, String body, String... namesAndValues) {
        StompHeaders.Builder headers = StompHeaders.builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new StompFrame(command, headers.build(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(StompFrame frame, StompVersion version) {
        return new String(StompEncoder.encode(frame, version), StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
