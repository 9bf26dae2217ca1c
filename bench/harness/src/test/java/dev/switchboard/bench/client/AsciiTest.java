package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AsciiTest {

    private static final byte[] SEQ = Ascii.bytes("\"seq\":");

    @Test
    void readsTheNumberAfterAKey() {
        byte[] frame = Ascii.bytes("{\"type\":\"message\",\"data\":{\"t\":123456,\"seq\":42},\"ts\":9}");
        assertThat(Ascii.numberAfter(frame, 0, frame.length, SEQ)).isEqualTo(42);
        assertThat(Ascii.numberAfter(frame, 0, frame.length, Ascii.bytes("\"t\":"))).isEqualTo(123456);
    }

    @Test
    void aKeyEndingLikeAnotherDoesNotMatch() {
        byte[] frame = Ascii.bytes("{\"data\":{\"t\":1,\"useq\":7},\"ts\":5}");
        assertThat(Ascii.numberAfter(frame, 0, frame.length, SEQ)).isEqualTo(-1);
        assertThat(Ascii.numberAfter(frame, 0, frame.length, Ascii.bytes("\"t\":"))).isEqualTo(1);
    }

    @Test
    void aKeyWithoutDigitsIsMissing() {
        byte[] frame = Ascii.bytes("{\"seq\":\"x\"}");
        assertThat(Ascii.numberAfter(frame, 0, frame.length, SEQ)).isEqualTo(-1);
    }

    @Test
    void onlyTheGivenRangeIsSearched() {
        byte[] frame = Ascii.bytes("xx{\"seq\":5}yy{\"seq\":6}");
        assertThat(Ascii.numberAfter(frame, 13, frame.length, SEQ)).isEqualTo(6);
        assertThat(Ascii.numberAfter(frame, 0, 8, SEQ)).isEqualTo(-1);
    }

    @Test
    void theLastOccurrenceWinsWhenScanningBackwards() {
        byte[] frame = Ascii.bytes("{\"data\":{\"t\":1,\"seq\":2},\"echo\":{\"t\":3,\"seq\":4}}");
        assertThat(Ascii.numberAfterLast(frame, 0, frame.length, SEQ)).isEqualTo(4);
        assertThat(Ascii.numberAfterLast(frame, 0, frame.length, Ascii.bytes("\"t\":"))).isEqualTo(3);
        assertThat(Ascii.numberAfterLast(frame, 0, 20, SEQ)).isEqualTo(-1);
    }

    @Test
    void aStompBodyIsReadFromTheEnd() {
        byte[] frame = Ascii.bytes("MESSAGE\ndestination:/topic/bench\n\n{\"t\":77,\"seq\":8}\0");
        assertThat(Ascii.numberAfterLast(frame, 0, frame.length, SEQ)).isEqualTo(8);
        assertThat(Ascii.numberAfterLast(frame, 0, frame.length, Ascii.bytes("\"t\":"))).isEqualTo(77);
    }

    @Test
    void writesNumbersInPlace() {
        byte[] out = new byte[32];
        int end = Ascii.putLong(out, 3, 1234567890123L);
        assertThat(new String(out, 3, end - 3)).isEqualTo("1234567890123");
        assertThat(new String(out, 0, Ascii.putLong(out, 0, 0))).isEqualTo("0");
    }
}
