package dev.switchboard.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.PublishReceipt;
import dev.switchboard.broker.PushReceipt;
import dev.switchboard.broker.RecordingSubscriber;
import dev.switchboard.broker.TestBrokers;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.PropertyNamingStrategy;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Pusher over a real single-node broker, with the sessions a client would hold: what each
 * session is handed is what its protocol writes to the client (the data as JSON text, the
 * destination, the ack flag). The refusals are the HTTP API's 400 and 413 (docs/http-api.md).
 */
class PusherTest {

    /** What an application pushes: a record, serialised by the application's JSON-B. */
    public record Call(String callerId, int waitingSeconds) {
    }

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final Broker broker = TestBrokers.singleNode(new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)),
            clock);
    private final Jsonb jsonb = JsonbBuilder.create();
    private final Pusher pusher = new Pusher(broker, jsonb);

    @AfterEach
    void closeJsonb() throws Exception {
        jsonb.close();
    }

    @Test
    void topicSubscribersGetTheDataAsJsonWithTheTopicsNextOffset() {
        RecordingSubscriber alice = session("s1", "alice", null);
        broker.subscribe("news", alice, null, replayed -> { }, outcome -> { });

        PublishReceipt first = pusher.toTopic("news", new Call("+44 20 7946 0000", 12));
        PublishReceipt second = pusher.toTopic("news", Map.of("headline", "rain"));

        assertThat(alice.payloads()).containsExactly("{\"callerId\":\"+44 20 7946 0000\",\"waitingSeconds\":12}",
                "{\"headline\":\"rain\"}");
        assertThat(alice.deliveries()).extracting(Delivery::target, Delivery::address, Delivery::offset)
                .containsExactly(tuple(Delivery.Target.TOPIC, "news", 1L),
                        tuple(Delivery.Target.TOPIC, "news", 2L));
        assertThat(first.id()).isEqualTo(alice.deliveries().get(0).id());
        assertThat(first.offset()).isEqualTo(1);
        assertThat(second.offset()).isEqualTo(2);
        assertThat(second.epoch()).isEqualTo(first.epoch()).isEqualTo(alice.deliveries().get(1).epoch());
        assertThat(second.recipients()).isEqualTo(1);
    }

    @Test
    void aStringIsSentAsAJsonStringAndAJsonValueAsItIs() {
        RecordingSubscriber alice = session("s1", "alice", null);
        JsonValue parsed = Json.createReader(new StringReader("{\"a\":[1,true]}")).readValue();

        pusher.toEveryone("maintenance at 5");
        pusher.toEveryone("{\"not\":\"parsed\"}");
        pusher.toEveryone(parsed);
        pusher.toEveryone(42);

        assertThat(alice.payloads()).containsExactly("\"maintenance at 5\"", "\"{\\\"not\\\":\\\"parsed\\\"}\"",
                "{\"a\":[1,true]}", "42");
        assertThat(alice.deliveries()).extracting(Delivery::target).containsOnly(Delivery.Target.BROADCAST);
    }

    @Test
    void theApplicationsJsonbSettingsApply() throws Exception {
        try (Jsonb snakeCase = JsonbBuilder.create(new JsonbConfig()
                .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES))) {
            RecordingSubscriber alice = session("s1", "alice", null);

            new Pusher(broker, snakeCase).toUser("alice", new Call("anonymous", 3));

            assertThat(alice.payloads()).containsExactly("{\"caller_id\":\"anonymous\",\"waiting_seconds\":3}");
        }
    }

    @Test
    void aUserPushReachesEveryOpenSessionOfThatUserOnly() {
        RecordingSubscriber desk = session("s1", "agent-7", null);
        RecordingSubscriber phone = session("s2", "agent-7", null);
        RecordingSubscriber other = session("s3", "agent-8", null);

        PushReceipt receipt = pusher.toUser("agent-7", Map.of("call", 1));

        assertThat(receipt.sessions()).isEqualTo(2);
        assertThat(desk.payloads()).containsExactly("{\"call\":1}");
        assertThat(phone.deliveries()).singleElement().satisfies(delivery -> {
            assertThat(delivery.id()).isEqualTo(receipt.id());
            assertThat(delivery.target()).isEqualTo(Delivery.Target.USER);
            assertThat(delivery.destination()).isNull();
            assertThat(delivery.ackRequired()).isFalse();
        });
        assertThat(other.deliveries()).isEmpty();
        assertThat(pusher.toUser("nobody", "hello").sessions()).isZero();
    }

    @Test
    void aUserDestinationMayBeWrittenInTheThreeFormsOfTheHttpApi() {
        RecordingSubscriber desk = session("s1", "agent-7", null);

        pusher.toUser("agent-7", "calls", "a", false);
        pusher.toUser("agent-7", "/queue/calls", "b", false);
        pusher.toUser("agent-7", "/user/queue/calls", "c", false);

        assertThat(desk.deliveries()).extracting(Delivery::destination).containsExactly("calls", "calls", "calls");
    }

    @Test
    void anAcknowledgedUserPushWaitsInTheInboxUntilAcked() {
        RecordingSubscriber desk = session("s1", "agent-7", null);

        PushReceipt receipt = pusher.toUser("agent-7", Map.of("call", 1), true);
        PushReceipt offline = pusher.toUser("agent-9", "calls", Map.of("call", 2), true);

        assertThat(desk.deliveries()).singleElement().satisfies(d -> assertThat(d.ackRequired()).isTrue());
        assertThat(broker.pendingFor("agent-7")).extracting(entry -> entry.delivery().id())
                .containsExactly(receipt.id());
        assertThat(offline.sessions()).isZero();
        assertThat(broker.pendingFor("agent-9")).extracting(entry -> entry.delivery().dataJson())
                .containsExactly("{\"call\":2}");
        assertThat(broker.acknowledge(desk, receipt.id())).isTrue();
        assertThat(broker.pendingFor("agent-7")).isEmpty();
    }

    @Test
    void aChannelPushReachesTheSessionHoldingTheChannel() {
        RecordingSubscriber desk = session("s1", "agent-7", "desk-1");

        Optional<PushReceipt> receipt = pusher.toChannel("desk-1", "incoming call", true);

        assertThat(receipt).hasValueSatisfying(r -> assertThat(r.sessions()).isEqualTo(1));
        assertThat(desk.deliveries()).singleElement().satisfies(delivery -> {
            assertThat(delivery.id()).isEqualTo(receipt.orElseThrow().id());
            assertThat(delivery.target()).isEqualTo(Delivery.Target.CHANNEL);
            assertThat(delivery.dataJson()).isEqualTo("\"incoming call\"");
            assertThat(delivery.ackRequired()).isTrue();
        });
        assertThat(broker.pendingForChannel("desk-1")).hasSize(1);
    }

    @Test
    void aChannelWithNoOpenSessionGetsNothingAndKeepsNothing() {
        assertThat(pusher.toChannel("desk-2", "incoming call", true)).isEmpty();
        assertThat(broker.pendingForChannel("desk-2")).isEmpty();
    }

    @Test
    void badNamesAndMissingDataAreRefusedBeforeAnythingIsSent() {
        RecordingSubscriber alice = session("s1", "alice", "desk-1");
        broker.subscribe("news", alice, null, replayed -> { }, outcome -> { });

        assertRefused(() -> pusher.toTopic("news/today", "x"), "topic must match [A-Za-z0-9._:-]{1,128}");
        assertRefused(() -> pusher.toTopic("n".repeat(129), "x"), "topic must match [A-Za-z0-9._:-]{1,128}");
        assertRefused(() -> pusher.toTopic(null, "x"), "topic must match [A-Za-z0-9._:-]{1,128}");
        assertRefused(() -> pusher.toUser("alice", "/topic/calls", "x", false),
                "destination must be <name>, /queue/<name> or /user/queue/<name>, with <name> matching "
                        + "[A-Za-z0-9._:-]{1,128}");
        assertRefused(() -> pusher.toUser("alice", "/user/alice/queue/calls", "x", true),
                "destination must be <name>, /queue/<name> or /user/queue/<name>, with <name> matching "
                        + "[A-Za-z0-9._:-]{1,128}");
        assertRefused(() -> pusher.toUser(null, "x"), "user is required");
        assertRefused(() -> pusher.toChannel(null, "x", false), "channelId is required");
        assertRefused(() -> pusher.toEveryone(null), "data is required and may not be null");
        assertRefused(() -> pusher.toUser("alice", null, true), "data is required and may not be null");
        assertRefused(() -> pusher.toChannel("desk-1", JsonValue.NULL, false), "data is required and may not be null");
        assertRefused(() -> pusher.toTopic("news", Optional.empty()), "data is required and may not be null");

        assertThat(alice.deliveries()).isEmpty();
        assertThat(broker.pendingFor("alice")).isEmpty();
        assertThat(broker.stats().messagesIn()).isZero();
    }

    @Test
    void dataUpToOneMebibyteOfJsonIsAcceptedAndOneByteMoreIsRefusedAsTooLarge() {
        RecordingSubscriber alice = session("s1", "alice", null);
        String largest = "x".repeat(Pusher.MAX_DATA_BYTES - 2); // plus its two quotes

        pusher.toUser("alice", largest);
        PushRefusedException refused = catchRefusal(() -> pusher.toUser("alice", largest + "x"));

        assertThat(alice.payloads()).singleElement().satisfies(json -> assertThat(json).hasSize(Pusher.MAX_DATA_BYTES));
        assertThat(refused.reason()).isEqualTo(PushRefusedException.Reason.TOO_LARGE);
        assertThat(refused).hasMessage("data exceeds 1048576 bytes as JSON");
    }

    @Test
    void theLimitCountsUtf8BytesNotCharacters() {
        RecordingSubscriber alice = session("s1", "alice", null);
        String twoBytesEach = "é".repeat((Pusher.MAX_DATA_BYTES - 2) / 2);

        pusher.toEveryone(twoBytesEach);
        PushRefusedException refused = catchRefusal(() -> pusher.toEveryone(twoBytesEach + "é"));

        assertThat(alice.payloads()).singleElement().satisfies(json -> assertThat(json).isEqualTo('"' + twoBytesEach + '"'));
        assertThat(refused.reason()).isEqualTo(PushRefusedException.Reason.TOO_LARGE);
        // A character outside the BMP is a surrogate pair: two chars, four bytes.
        assertThat(Pusher.exceedsUtf8Bytes("\uD83D\uDCDE".repeat(3), 12)).isFalse();
        assertThat(Pusher.exceedsUtf8Bytes("\uD83D\uDCDE".repeat(3), 11)).isTrue();
        assertThat(Pusher.exceedsUtf8Bytes("€".repeat(4), 12)).isFalse();
        assertThat(Pusher.exceedsUtf8Bytes("€".repeat(4), 11)).isTrue();
    }

    @Test
    void dataNestedUpTo512LevelsIsAcceptedAndDeeperIsRefused() {
        RecordingSubscriber alice = session("s1", "alice", null);

        pusher.toEveryone(nestedLists(512));
        PushRefusedException refused = catchRefusal(() -> pusher.toEveryone(nestedLists(513)));

        assertThat(alice.payloads()).singleElement().satisfies(json -> assertThat(json).startsWith("[[[").hasSize(1024));
        assertThat(refused.reason()).isEqualTo(PushRefusedException.Reason.INVALID);
        assertThat(refused).hasMessage("JSON nested deeper than 512 levels");
    }

    /** An open session of {@code user} on this node, holding {@code channelId} if not null. */
    private RecordingSubscriber session(String sessionId, String user, String channelId) {
        RecordingSubscriber session = new RecordingSubscriber(sessionId, user, channelId);
        if (channelId == null) {
            assertThat(broker.open(session, null)).isTrue();
        } else {
            ChannelClaim claim = broker.claimChannel(channelId, user, ChannelPolicy.REJECT);
            assertThat(broker.open(session, ((ChannelClaim.Granted) claim).reservation())).isTrue();
        }
        return session;
    }

    private static List<Object> nestedLists(int depth) {
        List<Object> innermost = new ArrayList<>();
        List<Object> outer = innermost;
        for (int level = 1; level < depth; level++) {
            outer = new ArrayList<>(List.of(outer));
        }
        return outer;
    }

    private static void assertRefused(Runnable push, String message) {
        PushRefusedException refused = catchRefusal(push);
        assertThat(refused.reason()).isEqualTo(PushRefusedException.Reason.INVALID);
        assertThat(refused).hasMessage(message).isInstanceOf(IllegalArgumentException.class);
    }

    private static PushRefusedException catchRefusal(Runnable push) {
        PushRefusedException refused = catchThrowableOfType(PushRefusedException.class, push::run);
        assertThat(refused).as("refused").isNotNull();
        return refused;
    }
}
