package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ApplicationEvents;
import dev.switchboard.events.SessionClosed;
import dev.switchboard.events.SessionOpened;
import dev.switchboard.events.Subscribed;
import dev.switchboard.events.SwitchboardEvent;
import dev.switchboard.events.TopicOccupied;
import dev.switchboard.events.TopicVacated;
import dev.switchboard.events.Unsubscribed;
import dev.switchboard.events.UserOffline;
import dev.switchboard.events.UserOnline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What an application observer is told as sessions open, subscribe, leave and close. */
class SessionEventsTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC);
    private final Broker broker = TestBrokers.singleNode(new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)),
            clock);
    private final ConcurrentLinkedQueue<SwitchboardEvent> observed = new ConcurrentLinkedQueue<>();

    private void observeDirectly() {
        broker.reportEventsTo(new SessionEvents(observed::add, new LocalOccupancy(), new LocalOccupancy(), "node-1",
                clock));
    }

    private List<String> kinds() {
        return observed.stream().map(event -> event.getClass().getSimpleName()).toList();
    }

    @Test
    void twoTabsOfOneUserMakeOneOnlineAndOneOffline() {
        observeDirectly();
        RecordingSubscriber desk = new RecordingSubscriber("s1", "alice", null);
        RecordingSubscriber phone = new RecordingSubscriber("s2", "alice", null);
        broker.open(desk, null);
        broker.open(phone, null);
        broker.close(desk, List.of());
        assertThat(kinds()).containsExactly("SessionOpened", "UserOnline", "SessionOpened", "SessionClosed");
        broker.close(phone, List.of());
        assertThat(kinds()).containsExactly("SessionOpened", "UserOnline", "SessionOpened", "SessionClosed",
                "SessionClosed", "UserOffline");
        assertThat(observed).contains(new UserOnline("alice", "node-1", clock.instant()),
                new UserOffline("alice", "node-1", clock.instant()));
    }

    @Test
    void sessionEventsCarryTheUserChannelProtocolAndCloseCode() {
        observeDirectly();
        RecordingSubscriber slow = new RecordingSubscriber("s1", "bob", "desk-1");
        broker.open(slow, null);
        slow.disconnect(CloseCode.SLOW_CONSUMER);
        broker.close(slow, List.of());
        assertThat(observed).contains(new SessionOpened("s1", "bob", "desk-1", "test", "node-1", clock.instant()),
                new SessionClosed("s1", "bob", "desk-1", "test", "node-1", Instant.EPOCH, clock.instant(), 4008,
                        "slow consumer"));
    }

    @Test
    void aTopicIsOccupiedByItsFirstSubscriberAndVacatedByItsLast() {
        observeDirectly();
        RecordingSubscriber alice = new RecordingSubscriber("s1", "alice", null);
        RecordingSubscriber bob = new RecordingSubscriber("s2", "bob", null);
        broker.open(alice, null);
        broker.open(bob, null);
        observed.clear();
        broker.subscribe("news", alice, null, d -> { }, o -> { });
        broker.subscribe("news", bob, null, d -> { }, o -> { });
        broker.unsubscribe("news", alice);
        broker.close(bob, List.of("news")); // closing leaves the topic too
        assertThat(kinds()).containsExactly("TopicOccupied", "Subscribed", "Subscribed", "Unsubscribed",
                "Unsubscribed", "TopicVacated", "SessionClosed", "UserOffline");
        assertThat(observed).contains(new TopicOccupied("news", "node-1", clock.instant()),
                new Subscribed("news", "s2", "bob", "node-1", clock.instant()),
                new Unsubscribed("news", "s1", "alice", "node-1", clock.instant()),
                new TopicVacated("news", "node-1", clock.instant()));
    }

    @Test
    void aBlockedObserverHoldsUpNeitherTheBrokerNorDeliveries() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ApplicationEvents events = new ApplicationEvents(event -> {
            awaitQuietly(release);
            observed.add(event);
        }, null, 1000);
        try {
            broker.reportEventsTo(new SessionEvents(events, new LocalOccupancy(), new LocalOccupancy(), "node-1",
                    clock));
            RecordingSubscriber alice = new RecordingSubscriber("s1", "alice", null);
            RecordingSubscriber bob = new RecordingSubscriber("s2", "bob", null);
            broker.open(alice, null);
            broker.open(bob, null);
            broker.subscribe("news", alice, null, d -> { }, o -> { });
            broker.subscribe("news", bob, null, d -> { }, o -> { });
            broker.publish("news", "{\"n\":1}");

            // The observer is still blocked on the first event, and every delivery went out.
            assertThat(alice.payloads()).containsExactly("{\"n\":1}");
            assertThat(bob.payloads()).containsExactly("{\"n\":1}");
            assertThat(observed).isEmpty();

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kinds()).containsExactly(
                    "SessionOpened", "UserOnline", "SessionOpened", "UserOnline", "TopicOccupied", "Subscribed",
                    "Subscribed"));
        } finally {
            release.countDown();
            events.close();
        }
    }

    @Test
    void aFailingObserverDoesNotStopTheNextEvents() {
        ApplicationEvents events = new ApplicationEvents(event -> {
            if (event instanceof SessionOpened) {
                throw new IllegalStateException("observer bug");
            }
            observed.add(event);
        }, null, 1000);
        try {
            broker.reportEventsTo(new SessionEvents(events, new LocalOccupancy(), new LocalOccupancy(), "node-1",
                    clock));
            broker.open(new RecordingSubscriber("s1", "carol", null), null);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kinds()).containsExactly("UserOnline"));
        } finally {
            events.close();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
