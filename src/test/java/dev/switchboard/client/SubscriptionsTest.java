package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {

    private final Subscriptions subscriptions = new Subscriptions();

    @Test
    void subscribingTwiceIsOneSubscription() {
        assertThat(subscriptions.add("news")).isTrue();
        assertThat(subscriptions.add("news")).isFalse();
        assertThat(subscriptions.awaitAnswersForAll()).containsExactly("news");
    }

    @Test
    void aNewConnectionWaitsForEveryTopicInSubscriptionOrder() {
        subscriptions.add("b");
        subscriptions.add("a");
        assertThat(subscriptions.awaitAnswersForAll()).containsExactly("b", "a");
        assertThat(subscriptions.allAnswered()).isFalse();
        assertThat(subscriptions.answered("b")).isFalse();
        assertThat(subscriptions.answered("a")).isTrue();
        assertThat(subscriptions.allAnswered()).isTrue();
    }

    @Test
    void withoutTopicsANewConnectionIsAnsweredAtOnce() {
        assertThat(subscriptions.awaitAnswersForAll()).isEmpty();
        assertThat(subscriptions.allAnswered()).isTrue();
    }

    @Test
    void aSubscribeResumesFromTheLastMessageAccepted() {
        subscriptions.add("news");
        assertThat(subscriptions.subscribeRequest("news")).isEqualTo(new ClientFrame.Subscribe("news", null));
        subscriptions.recordSubscribed(new ServerFrame.Subscribed("news", 4, "e1", false));
        assertThat(subscriptions.acceptMessage("news", 5, "e1")).isTrue();
        assertThat(subscriptions.acceptMessage("news", 5, "e1")).isFalse();
        assertThat(subscriptions.subscribeRequest("news"))
                .isEqualTo(new ClientFrame.Subscribe("news", new ClientFrame.Since(5L, "e1")));
    }

    @Test
    void messagesOfTopicsNotSubscribedAreNotAccepted() {
        assertThat(subscriptions.acceptMessage("news", 1, "e1")).isFalse();
    }

    @Test
    void unsubscribingForgetsThePositionAndTheOutstandingAnswer() {
        subscriptions.add("news");
        subscriptions.add("sport");
        subscriptions.awaitAnswersForAll();
        subscriptions.acceptMessage("news", 5, "e1");
        assertThat(subscriptions.remove("news")).isTrue();
        assertThat(subscriptions.remove("news")).isFalse();
        assertThat(subscriptions.contains("news")).isFalse();
        assertThat(subscriptions.answered("sport")).isTrue();
        subscriptions.add("news");
        assertThat(subscriptions.subscribeRequest("news")).isEqualTo(new ClientFrame.Subscribe("news", null));
    }
}
