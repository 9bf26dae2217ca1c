package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SockJsMessagesTest {

    private final SockJsMessages messages = new SockJsMessages();

    @Test
    void anArrayOfStringsIsItsMessagesInOrder() {
        assertThat(messages.parse("[\"a\",\"b\\u2028\",\"\"]")).contains(List.of("a", "b\u2028", ""));
    }

    @Test
    void aSingleStringIsOneMessage() {
        assertThat(messages.parse(" \"x\" ")).contains(List.of("x"));
    }

    @Test
    void whatIsNotAnArrayOfStringsIsRefused() {
        assertThat(messages.parse("x")).isEmpty();
        assertThat(messages.parse("[\"a\"")).isEmpty();
        assertThat(messages.parse("{\"a\":1}")).isEmpty();
        assertThat(messages.parse("[null]")).isEmpty();
        assertThat(messages.parse("[[\"a\"]]")).isEmpty();
        assertThat(messages.parse("[\"a\"] x")).isEmpty();
        assertThat(messages.parse("")).isEmpty();
    }
}
