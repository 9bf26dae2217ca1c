package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserDestinationsTest {

    @Test
    void aBareNameIsThatName() {
        assertThat(UserDestinations.nameOf("notifications")).isEqualTo("notifications");
    }

    @Test
    void springsConvertAndSendToUserFormIsTheNameAfterQueue() {
        assertThat(UserDestinations.nameOf("/queue/notifications")).isEqualTo("notifications");
    }

    @Test
    void theSubscribersUserQueueFormIsTheNameAfterUserQueue() {
        assertThat(UserDestinations.nameOf("/user/queue/notifications")).isEqualTo("notifications");
    }

    @Test
    void namesKeepEveryCharacterTheNameRuleAllows() {
        assertThat(UserDestinations.nameOf("/queue/desk-1.calls:urgent_2")).isEqualTo("desk-1.calls:urgent_2");
        assertThat(UserDestinations.nameOf("/user/queue/" + "n".repeat(128))).isEqualTo("n".repeat(128));
    }

    @Test
    void aUserQueueWhoseNameIsQueueIsNotReadAsTheShorterForm() {
        // "/user/queue/queue" is the destination "queue", not "/queue/queue" stripped twice.
        assertThat(UserDestinations.nameOf("/user/queue/queue")).isEqualTo("queue");
        assertThat(UserDestinations.nameOf("/queue/queue")).isEqualTo("queue");
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {
        "",                                  // no name at all
        "/queue/",                           // a prefix without a name
        "/user/queue/",
        "/queue",
        "/user/queue",
        "/topic/x",                          // user destinations are queues only
        "/user/topic/x",
        "/app/echo",
        "/user/queue/a/b",                   // a name has no '/'
        "/queue/a/b",
        "queue/notifications",               // Spring adds the missing '/'; here only the three forms are accepted
        "/user/alice/queue/notifications",   // the user is the request path's, never the destination's
        "//queue/notifications",
        "/QUEUE/notifications",
        "/queue/bad name",
        "notifications/",
    })
    void anyOtherFormIsRefused(String written) {
        assertThat(UserDestinations.nameOf(written)).isNull();
    }

    @Test
    void aNameLongerThanTheRuleIsRefusedInEveryForm() {
        String tooLong = "n".repeat(129);
        assertThat(UserDestinations.nameOf(tooLong)).isNull();
        assertThat(UserDestinations.nameOf("/queue/" + tooLong)).isNull();
        assertThat(UserDestinations.nameOf("/user/queue/" + tooLong)).isNull();
    }

    @Test
    void noDestinationIsNoName() {
        assertThat(UserDestinations.nameOf(null)).isNull();
    }
}
