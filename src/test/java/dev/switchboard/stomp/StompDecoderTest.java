package dev.switchboard.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StompDecoderTest {

    private final StompDecoder decoder = new StompDecoder(StompLimits.DEFAULT);

    // --- frames ---

    @Test
    void decodesCommandHeadersAndBody() {
        StompFrame frame = decodeOne("SEND\ndestination:/topic/news\ncontent-type:text/plain\n\nhello\0");

        assertThat(frame.command()).isEqualTo(StompCommand.SEND);
        assertThat(frame.headers().entries())
                .containsExactly(Map.entry("destination", "/topic/news"), Map.entry("content-type", "text/plain"));
        assertThat(frame.bodyText()).isEqualTo("hello");
    }

    @Test
    void decodesFrameWithoutHeadersOrBody() {
        StompFrame frame = decodeOne("DISCONNECT\n\n\0");

        assertThat(frame.command()).isEqualTo(StompCommand.DISCONNECT);
        assertThat(frame.headers().size()).isZero();
        assertThat(frame.body()).isEmpty();
    }

    @Test
    void decodesEveryCommand() {
        for (StompCommand command : StompCommand.values()) {
            assertThat(decodeOne(command.name() + "\n\n\0").command()).isEqualTo(command);
        }
    }

    @Test
    void acceptsCrLfLineEndings() {
        StompFrame frame = decodeOne("SEND\r\ndestination:/topic/a\r\nreceipt:7\r\n\r\nhi\0");

        assertThat(frame.headers().entries())
                .containsExactly(Map.entry("destination", "/topic/a"), Map.entry("receipt", "7"));
        assertThat(frame.bodyText()).isEqualTo("hi");
    }

    @Test
    void keepsCarriageReturnThatDoesNotEndALine() {
        assertThat(decodeOne("SEND\nx:a\rb\n\n\0").header("x")).isEqualTo("a\rb");
    }

    @Test
    void keepsRepeatedHeadersInOrderAndTheFirstWins() {
        StompFrame frame = decodeOne("MESSAGE\nfoo:World\nfoo:Hello\n\n\0");

        assertThat(frame.header("foo")).isEqualTo("World");
        assertThat(frame.headers().entries()).containsExactly(Map.entry("foo", "World"), Map.entry("foo", "Hello"));
    }

    @Test
    void splitsHeaderAtTheFirstColon() {
        assertThat(decodeOne("SEND\nurl:http://host:80/x\n\n\0").header("url")).isEqualTo("http://host:80/x");
    }

    @Test
    void doesNotTrimHeaderNamesOrValues() {
        StompFrame frame = decodeOne("SEND\n destination : /topic/a \nempty:\n\n\0");

        assertThat(frame.headers().entries())
                .containsExactly(Map.entry(" destination ", " /topic/a "), Map.entry("empty", ""));
    }

    @Test
    void decodesUtf8Headers() {
        assertThat(decodeOne("SEND\ndestination:/topic/café-€-😀\n\n\0").header("destination"))
                .isEqualTo("/topic/café-€-😀");
    }

    @Test
    void keepsBodyBytesAsTheyAre() {
        byte[] wire = concat(ascii("SEND\n\n"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}, new byte[] {0});

        assertThat(decodeOne(wire).body()).containsExactly(0xff, 0xfe, 'x');
    }

    // --- escaping ---

    @Test
    void unescapesHeaderNamesAndValuesInStomp12() {
        StompFrame frame = decodeOne("SEND\nk\\cey:a\\nb\\rc\\\\d\\ce\n\n\0");

        assertThat(frame.header("k:ey")).isEqualTo("a\nb\rc\\d:e");
    }

    @Test
    void unescapesBackslashLineFeedAndColonInStomp11() {
        decoder.version(StompVersion.V1_1);

        assertThat(decodeOne("SEND\nk\\cey:a\\nb\\\\d\\ce\n\n\0").header("k:ey")).isEqualTo("a\nb\\d:e");
    }

    @Test
    void rejectsCarriageReturnEscapeInStomp11() {
        decoder.version(StompVersion.V1_1);

        assertThat(decode("SEND\nk:a\\rb\n\n\0").error())
                .isEqualTo("undefined escape sequence '\\r' in a header of STOMP 1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SEND\nk:a\\tb\n\n\0", "SEND\nk\\x:v\n\n\0", "SEND\nk:a\\\n\n\0"})
    void rejectsUndefinedOrIncompleteEscapeSequence(String wire) {
        StompDecoder.Result result = decode(wire);

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).containsAnyOf("undefined escape sequence", "incomplete escape sequence");
    }

    @Test
    void doesNotUnescapeInStomp10() {
        decoder.version(StompVersion.V1_0);

        assertThat(decodeOne("SEND\nk:a\\nb\\tc\\cd\n\n\0").header("k")).isEqualTo("a\\nb\\tc\\cd");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT", "STOMP", "CONNECTED"})
    void neverUnescapesConnectStompOrConnected(String command) {
        StompFrame frame = decodeOne(command + "\nlogin:a\\tb\npasscode:x\\ny\\\\\n\n\0");

        assertThat(frame.header("login")).isEqualTo("a\\tb");
        assertThat(frame.header("passcode")).isEqualTo("x\\ny\\\\");
    }

    @Test
    void appliesANewVersionToTheNextFrame() {
        assertThat(decodeOne("SEND\nk:a\\cb\n\n\0").header("k")).isEqualTo("a:b");

        decoder.version(StompVersion.V1_0);

        assertThat(decodeOne("SEND\nk:a\\cb\n\n\0").header("k")).isEqualTo("a\\cb");
    }

    @Test
    void keepsTheVersionOfAFrameWhoseCommandWasAlreadyRead() {
        assertThat(decode("SEND\nk:a\\cb\n").frames()).isEmpty();

        decoder.version(StompVersion.V1_0);

        assertThat(decodeOne("j:x\\cy\n\n\0").headers().entries())
                .containsExactly(Map.entry("k", "a:b"), Map.entry("j", "x:y"));
    }

    // --- content-length ---

    @Test
    void readsContentLengthBytesIncludingNuls() {
        byte[] wire = concat(ascii("SEND\ncontent-length:5\n\n"), new byte[] {'a', 0, 'b', 0, 'c', 0});

        StompFrame frame = decodeOne(wire);

        assertThat(frame.body()).containsExactly('a', 0, 'b', 0, 'c');
        assertThat(frame.header("content-length")).isEqualTo("5");
    }

    @Test
    void readsZeroContentLength() {
        assertThat(decodeOne("SEND\ncontent-length:0\n\n\0").body()).isEmpty();
    }

    @Test
    void usesTheFirstContentLength() {
        assertThat(decodeOne("SEND\ncontent-length:3\ncontent-length:1\n\nabc\0").bodyText()).isEqualTo("abc");
    }

    @Test
    void rejectsBodyNotFollowedByNulAfterContentLength() {
        assertThat(decode("SEND\ncontent-length:2\n\nabc\0").error())
                .isEqualTo("frame body is not followed by NUL after content-length 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "", "+5", " 5", "5 ", "1.0", "99999999999", "0x10"})
    void rejectsContentLengthThatIsNotANonNegativeInteger(String value) {
        StompDecoder.Result result = decode("SEND\ncontent-length:" + value + "\n\n\0");

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).startsWith("invalid content-length '");
    }

    @Test
    void acceptsContentLengthWithLeadingZeros() {
        assertThat(decodeOne("SEND\ncontent-length:002\n\nab\0").bodyText()).isEqualTo("ab");
    }

    // --- heart-beats and several frames ---

    @Test
    void countsHeartBeatsWithoutFrames() {
        StompDecoder.Result result = decode("\n");

        assertThat(result.frames()).isEmpty();
        assertThat(result.heartbeats()).isEqualTo(1);
        assertThat(decode("\r\n\n\r\n").heartbeats()).isEqualTo(3);
    }

    @Test
    void countsHeartBeatsBeforeBetweenAndAfterFrames() {
        StompDecoder.Result result = decode("\n\r\nSEND\n\na\0\nSEND\n\nb\0\r\n\n");

        assertThat(result.frames()).extracting(StompFrame::bodyText).containsExactly("a", "b");
        assertThat(result.heartbeats()).isEqualTo(5);
        assertThat(result.error()).isNull();
    }

    @Test
    void decodesSeveralFramesInOneMessage() {
        StompDecoder.Result result = decode("SUBSCRIBE\nid:0\ndestination:/topic/a\n\n\0"
                + "SEND\ndestination:/topic/a\ncontent-length:1\n\n\0\0DISCONNECT\nreceipt:9\n\n\0");

        assertThat(result.frames()).extracting(StompFrame::command)
                .containsExactly(StompCommand.SUBSCRIBE, StompCommand.SEND, StompCommand.DISCONNECT);
        assertThat(result.frames().get(1).body()).containsExactly(0);
    }

    @Test
    void waitsForTheLfOfASplitCrLfHeartBeat() {
        assertThat(decode("\r").heartbeats()).isZero();
        StompDecoder.Result result = decode("\n");

        assertThat(result.heartbeats()).isEqualTo(1);
        assertThat(result.error()).isNull();
    }

    @Test
    void rejectsCarriageReturnThatIsNotPartOfAnEol() {
        assertThat(decode("\rSEND\n\n\0").error()).isEqualTo("unexpected CR between frames");
    }

    // --- incomplete and split frames ---

    @Test
    void decodeFrameWithIncompleteCommand() {
        assertIncompleteDecode("SEN");
        assertIncompleteDecode("SEND");
        assertIncompleteDecode("SEND\r");
    }

    @Test
    void decodeFrameWithIncompleteHeader() {
        assertIncompleteDecode("SEND\ndestination");
        assertIncompleteDecode("SEND\ndestination:");
        assertIncompleteDecode("SEND\ndestination:/topic/a\n");
        assertIncompleteDecode("SEND\ndestination:/topic/a\r\n\r");
    }

    @Test
    void decodeFrameWithIncompleteBody() {
        assertIncompleteDecode("SEND\ndestination:/topic/a\n\nhel");
        assertIncompleteDecode("SEND\ncontent-length:3\n\nabc");
    }

    @Test
    void completesAFrameAcrossMessages() {
        assertThat(decode("SEND\ndestination:/to").frames()).isEmpty();
        assertThat(decode("pic/a\n\nhel").frames()).isEmpty();
        StompDecoder.Result result = decode("lo\0SEND\n");

        assertThat(result.frames()).singleElement().satisfies(frame -> {
            assertThat(frame.header("destination")).isEqualTo("/topic/a");
            assertThat(frame.bodyText()).isEqualTo("hello");
        });
        assertThat(decode("\n\0").frames()).singleElement().extracting(StompFrame::command)
                .isEqualTo(StompCommand.SEND);
    }

    @Test
    void decodesTheSameFramesWhateverByteTheStreamIsSplitAt() {
        byte[] wire = concat(
                ascii("\r\nMESSAGE\r\ndestination:/topic/a\\cb\r\nmessage-id:1\r\n\r\nhello\0\n"),
                ascii("SEND\ncontent-length:4\nk:v\\\\\n\n"), new byte[] {0, 'x', 0, 'y', 0},
                utf8("ERROR\nmessage:café\n\nbody€\0\r\n\n"),
                ascii("CONNECT\naccept-version:1.2\nlogin:a\\tb\n\n\0"));
        StompDecoder.Result whole = new StompDecoder(StompLimits.DEFAULT).decode(ByteBuffer.wrap(wire));
        assertThat(whole.frames()).hasSize(4);
        assertThat(whole.heartbeats()).isEqualTo(4);
        assertThat(whole.error()).isNull();

        for (int split = 0; split <= wire.length; split++) {
            StompDecoder splitDecoder = new StompDecoder(StompLimits.DEFAULT);
            StompDecoder.Result first = splitDecoder.decode(ByteBuffer.wrap(wire, 0, split));
            StompDecoder.Result second = splitDecoder.decode(ByteBuffer.wrap(wire, split, wire.length - split));
            List<StompFrame> frames = new ArrayList<>(first.frames());
            frames.addAll(second.frames());

            assertThat(first.error()).as("error at split %d", split).isNull();
            assertThat(second.error()).as("error at split %d", split).isNull();
            assertThat(frames).as("frames at split %d", split).isEqualTo(whole.frames());
            assertThat(first.heartbeats() + second.heartbeats()).as("heart-beats at split %d", split).isEqualTo(4);
        }
    }

    @Test
    void decodesAStreamFedOneByteAtATime() {
        byte[] wire = ascii("\nSEND\r\ndestination:/a\r\ncontent-length:2\r\n\r\n\0\0\0\nACK\nid:1\n\n\0");
        List<StompFrame> frames = new ArrayList<>();
        int heartbeats = 0;
        for (byte b : wire) {
            StompDecoder.Result result = decoder.decode(ByteBuffer.wrap(new byte[] {b}));
            assertThat(result.error()).isNull();
            frames.addAll(result.frames());
            heartbeats += result.heartbeats();
        }

        assertThat(frames).extracting(StompFrame::command).containsExactly(StompCommand.SEND, StompCommand.ACK);
        assertThat(frames.get(0).body()).containsExactly(0, 0);
        assertThat(heartbeats).isEqualTo(2);
    }

    @Test
    void decodesALargeFrameFedOneByteAtATimeInLinearTime() {
        StompDecoder large = new StompDecoder(new StompLimits(1 << 20, 64, 8192));
        byte[] wire = new byte[(1 << 20) - 1];
        java.util.Arrays.fill(wire, (byte) 'x');
        System.arraycopy(ascii("SEND\n\n"), 0, wire, 0, 6);
        wire[wire.length - 1] = 0;

        List<StompFrame> frames = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            List<StompFrame> decoded = new ArrayList<>();
            ByteBuffer one = ByteBuffer.allocate(1);
            for (byte b : wire) {
                one.clear();
                one.put(b).flip();
                decoded.addAll(large.decode(one).frames());
            }
            return decoded;
        });

        assertThat(frames).singleElement().extracting(frame -> frame.body().length).isEqualTo(wire.length - 7);
    }

    @Test
    void readsDirectAndReadOnlyBuffersAndConsumesThem() {
        byte[] wire = ascii("SEND\n\nabc\0");
        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
        ByteBuffer readOnly = ByteBuffer.wrap(wire).asReadOnlyBuffer();

        assertThat(decoder.decode(direct).frames()).singleElement().extracting(StompFrame::bodyText).isEqualTo("abc");
        assertThat(decoder.decode(readOnly).frames()).singleElement().extracting(StompFrame::bodyText)
                .isEqualTo("abc");
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(readOnly.hasRemaining()).isFalse();
    }

    @Test
    void readsFromTheBufferPositionOnly() {
        byte[] wire = ascii("garbageSEND\n\nabc\0more");
        ByteBuffer slice = ByteBuffer.wrap(wire, 7, 10);

        assertThat(decoder.decode(slice).frames()).singleElement().extracting(StompFrame::bodyText)
                .isEqualTo("abc");
    }

    // --- errors ---

    @ParameterizedTest
    @ValueSource(strings = {"FOO\n\n\0", "send\n\n\0", "SEND \n\n\0", "\0\n\n\0"})
    void rejectsUnknownCommand(String wire) {
        StompDecoder.Result result = decode(wire);

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).startsWith("unknown command '");
    }

    @Test
    void quotesOnlyPrintableAsciiOfTheOffendingBytes() {
        assertThat(decode("F\u0001O\u00e9\n\n\0").error()).isEqualTo("unknown command 'F?O??'");
    }

    @Test
    void rejectsHeaderLineWithoutColon() {
        assertThat(decode("SEND\ndestination\n\n\0").error())
                .isEqualTo("malformed header line without ':' 'destination'");
    }

    @Test
    void rejectsHeaderWithEmptyName() {
        assertThat(decode("SEND\n:value\n\n\0").error()).isEqualTo("header line with an empty name ':value'");
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() {
        byte[] wire = concat(ascii("SEND\nk:"), new byte[] {(byte) 0xc3, (byte) 0x28}, ascii("\n\n\0"));

        assertThat(decoder.decode(ByteBuffer.wrap(wire)).error()).isEqualTo("header is not valid UTF-8");
    }

    @Test
    void returnsTheFramesBeforeAnError() {
        StompDecoder.Result result = decode("SEND\n\na\0\nBOGUS\n\n\0SEND\n\nb\0");

        assertThat(result.frames()).extracting(StompFrame::bodyText).containsExactly("a");
        assertThat(result.heartbeats()).isEqualTo(1);
        assertThat(result.error()).isEqualTo("unknown command 'BOGUS'");
    }

    @Test
    void refusesFurtherInputAfterAnErrorWithTheSameError() {
        String error = decode("BOGUS\n\n\0").error();
        ByteBuffer more = ByteBuffer.wrap(ascii("SEND\n\n\0\n"));

        StompDecoder.Result result = decoder.decode(more);

        assertThat(result.error()).isEqualTo(error);
        assertThat(result.frames()).isEmpty();
        assertThat(result.heartbeats()).isZero();
        assertThat(more.hasRemaining()).isFalse();
    }

    // --- limits ---

    @Test
    void acceptsAFrameOfExactlyMaxFrameBytes() {
        String wire = "SEND\n\n" + "x".repeat(93) + "\0";
        assertThat(wire).hasSize(100);

        StompDecoder small = new StompDecoder(new StompLimits(100, 64, 8192));

        assertThat(small.decode(ByteBuffer.wrap(ascii(wire))).frames()).hasSize(1);
    }

    @Test
    void rejectsAFrameOverMaxFrameBytes() {
        StompDecoder small = new StompDecoder(new StompLimits(100, 64, 8192));

        StompDecoder.Result result = small.decode(ByteBuffer.wrap(ascii("SEND\n\n" + "x".repeat(94) + "\0")));

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).isEqualTo("frame exceeds 100 bytes");
    }

    @Test
    void rejectsABodyWaitingForItsNulOnceItExceedsMaxFrameBytes() {
        StompDecoder small = new StompDecoder(new StompLimits(100, 64, 8192));

        assertThat(small.decode(ByteBuffer.wrap(ascii("SEND\n\n" + "x".repeat(93)))).error()).isNull();
        assertThat(small.decode(ByteBuffer.wrap(ascii("x"))).error()).isEqualTo("frame exceeds 100 bytes");
    }

    @Test
    void rejectsContentLengthOverMaxFrameBytesBeforeTheBodyArrives() {
        StompDecoder small = new StompDecoder(new StompLimits(100, 64, 8192));

        assertThat(small.decode(ByteBuffer.wrap(ascii("SEND\ncontent-length:1000\n\n"))).error())
                .isEqualTo("frame exceeds 100 bytes");
    }

    @Test
    void rejectsHeadersOverMaxFrameBytes() {
        StompDecoder small = new StompDecoder(new StompLimits(100, 64, 8192));

        assertThat(small.decode(ByteBuffer.wrap(ascii("SEND\n" + "k:v\n".repeat(30)))).error())
                .isEqualTo("frame exceeds 100 bytes");
    }

    @Test
    void doesNotCountHeartBeatsAgainstMaxFrameBytes() {
        StompDecoder small = new StompDecoder(new StompLimits(10, 64, 8192));

        StompDecoder.Result result = small.decode(ByteBuffer.wrap(ascii("\n".repeat(50) + "SEND\n\nabc\0\n")));

        assertThat(result.error()).isNull();
        assertThat(result.frames()).hasSize(1);
        assertThat(result.heartbeats()).isEqualTo(51);
    }

    @Test
    void acceptsMaxHeadersAndRejectsOneMore() {
        StompDecoder few = new StompDecoder(new StompLimits(65536, 3, 8192));

        assertThat(few.decode(ByteBuffer.wrap(ascii("SEND\na:1\nb:2\na:3\n\n\0"))).frames()).hasSize(1);
        assertThat(few.decode(ByteBuffer.wrap(ascii("SEND\na:1\nb:2\na:3\nc:4\n\n\0"))).error())
                .isEqualTo("frame has more than 3 headers");
    }

    @Test
    void acceptsHeaderLineOfMaxBytesNotCountingItsEol() {
        StompDecoder narrow = new StompDecoder(new StompLimits(65536, 64, 10));

        StompDecoder.Result result = narrow.decode(ByteBuffer.wrap(ascii("SEND\nk:12345678\r\n\n\0")));

        assertThat(result.error()).isNull();
        assertThat(result.frames()).singleElement().extracting(frame -> frame.header("k")).isEqualTo("12345678");
    }

    @Test
    void rejectsHeaderLineOverMaxBytes() {
        StompDecoder narrow = new StompDecoder(new StompLimits(65536, 64, 10));

        assertThat(narrow.decode(ByteBuffer.wrap(ascii("SEND\nk:123456789\n\n\0"))).error())
                .isEqualTo("header line exceeds 10 bytes");
    }

    @Test
    void rejectsAnUnfinishedHeaderLineAsSoonAsItExceedsMaxBytes() {
        StompDecoder narrow = new StompDecoder(new StompLimits(65536, 64, 10));

        assertThat(narrow.decode(ByteBuffer.wrap(ascii("SEND\nk:12345678\r"))).error()).isNull();
        assertThat(narrow.decode(ByteBuffer.wrap(ascii("9"))).error()).isEqualTo("header line exceeds 10 bytes");
    }

    @Test
    void rejectsAnUnfinishedCommandLineOverMaxBytes() {
        StompDecoder narrow = new StompDecoder(new StompLimits(65536, 64, 10));

        assertThat(narrow.decode(ByteBuffer.wrap(ascii("A".repeat(11)))).error())
                .isEqualTo("command line exceeds 10 bytes");
    }

    @Test
    void rejectsLimitsThatAreNotPositive() {
        assertThatThrownBy(() -> new StompLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StompLimits(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StompLimits(1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers ---

    private StompDecoder.Result decode(String wire) {
        return decoder.decode(ByteBuffer.wrap(utf8(wire)));
    }

    private StompFrame decodeOne(String wire) {
        return decodeOne(utf8(wire));
    }

    private StompFrame decodeOne(byte[] wire) {
        StompDecoder.Result result = decoder.decode(ByteBuffer.wrap(wire));
        assertThat(result.error()).isNull();
        assertThat(result.frames()).hasSize(1);
        return result.frames().get(0);
    }

    private void assertIncompleteDecode(String partial) {
        StompDecoder.Result result = new StompDecoder(StompLimits.DEFAULT).decode(ByteBuffer.wrap(utf8(partial)));
        assertThat(result.frames()).as("frames of %s", partial).isEmpty();
        assertThat(result.error()).as("error of %s", partial).isNull();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
