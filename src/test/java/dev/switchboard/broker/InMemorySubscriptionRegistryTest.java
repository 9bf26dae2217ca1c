package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySubscriptionRegistryTest {

    private final InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry();
    private final RecordingSubscriber alice = new RecordingSubscriber("s1", "alice", null);
    private final RecordingSubscriber bob = new RecordingSubscriber("s2", "bob", null);

    @Test
    void topicWithoutSubscribersHasAnEmptyList() {
        assertThat(registry.subscribers("news")).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void subscribersAreListedInSubscriptionOrder() {
        registry.subscribe("news", alice);
        registry.subscribe("news", bob);

        assertThat(registry.subscribers("news")).containsExactly(alice, bob);
    }

    @Test
    void subscribingTwiceIsIdempotent() {
        assertThat(registry.subscribe("news", alice)).isTrue();
        assertThat(registry.subscribe("news", alice)).isFalse();

        assertThat(registry.subscribers("news")).containsExactly(alice);
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void unsubscribeRemovesOnlyThatSessionFromThatTopic() {
        registry.subscribe("news", alice);
        registry.subscribe("news", bob);
        registry.subscribe("sport", alice);

        assertThat(registry.unsubscribe("news", alice)).isTrue();

        assertThat(registry.subscribers("news")).containsExactly(bob);
        assertThat(registry.subscribers("sport")).containsExactly(alice);
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void unsubscribeOfANonSubscriberReturnsFalseAndChangesNothing() {
        registry.subscribe("news", alice);

        assertThat(registry.unsubscribe("news", bob)).isFalse();
        assertThat(registry.unsubscribe("sport", alice)).isFalse();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void sizeCountsTopicSessionPairs() {
        registry.subscribe("news", alice);
        registry.subscribe("news", bob);
        registry.subscribe("sport", alice);
        registry.unsubscribe("news", bob);
        registry.unsubscribe("news", bob);

        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void listReturnedEarlierDoesNotChangeWhenOthersSubscribeOrUnsubscribe() {
        registry.subscribe("news", alice);
        List<Subscriber> before = registry.subscribers("news");

        registry.subscribe("news", bob);
        registry.unsubscribe("news", alice);

        assertThat(before).containsExactly(alice);
        assertThat(registry.subscribers("news")).containsExactly(bob);
    }

    @Test
    void snapshotCannotBeModifiedByItsReader() {
        registry.subscribe("news", alice);

        assertThatThrownBy(() -> registry.subscribers("news").add(bob))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> registry.subscribers("nothing").add(bob))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void topicEmptiedByUnsubscribesIsEmptyAgain() {
        registry.subscribe("news", alice);
        registry.unsubscribe("news", alice);

        assertThat(registry.subscribers("news")).isEmpty();
        assertThat(registry.subscribe("news", alice)).isTrue();
    }
}
