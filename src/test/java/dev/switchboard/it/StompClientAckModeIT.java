package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cumulative {@code ack:client} mode (STOMP 1.2, "SUBSCRIBE ack Header"), in literal frames:
 * an ACK or NACK of one message settles every earlier unacknowledged message of its subscription,
 * and what is left unacknowledged is redelivered after the ack timeout, a bounded number of times.
 *
 * <p>No test sleeps to prove that something does not happen. A message still unacknowledged at
 * the end serves as a clock instead: its redelivery comes one ack timeout after it was sent, so
 * every message sent before it whose ack timer was still running would have been redelivered
 * first. "The next frame is that redelivery" therefore proves that none of the earlier messages
 * came back.
 */
@ContainerMatrix
class StompClientAckModeIT {

    /**
     * Short enough for the tests to wait for redeliveries, long enough that a test's ACK (a few
     * milliseconds after the MESSAGE arrives) always beats the timer even on a busy machine.
     */
    private static final int ACK_TIMEOUT_MS = 2000;

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("stomp-client-ack",
            Map.of("stomp.ack.timeout.ms", String.valueOf(ACK_TIMEOUT_MS), "stomp.max.deliveries", "3"));

    private static RawStompClient connected(String user) throws Exception {
        RawStompClient client = RawStompClient.connect(server);
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer "
                + TestTokens.token(user, "publisher") + "\n\n\0");
        assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        return client;
    }

    private static void subscribeInClientMode(RawStompClient client, String topic) throws Exception {
        client.send("SUBSCRIBE\nid:0\ndestination:/topic/" + topic + "\nack:client\nreceipt:sub\n\n\0");
        assertThat(client.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:sub\n");
    }

    private static void send(RawStompClient client, String topic, String body) throws Exception {
        client.send("SEND\ndestination:/topic/" + topic + "\ncontent-type:text/plain\n\n" + body + "\0");
    }

    /** The next MESSAGE, which must carry {@code body}. */
    private static String expectMessage(RawStompClient client, String body) throws InterruptedException {
        String frame = client.nextFrame();
        assertThat(frame).startsWith("MESSAGE\n").endsWith("\n\n" + body + "\0");
        return frame;
    }

    /** The value of {@code name} in a frame's headers (the first one, as STOMP 1.2 says). */
    private static String header(String frame, String name) {
        for (String line : frame.substring(0, frame.indexOf("\n\n")).split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " header in " + frame);
    }

    private static void ack(RawStompClient client, String command, String message) throws Exception {
        client.send(command + "\nid:" + header(message, "ack") + "\n\n\0");
    }

    @Test
    void anAckOfOneMessageAcknowledgesEveryEarlierOneOfTheSubscription() throws Exception {
        try (RawStompClient client = connected("cumulative")) {
            subscribeInClientMode(client, "ack-cumulative");
            send(client, "ack-cumulative", "one");
            send(client, "ack-cumulative", "two");
            send(client, "ack-cumulative", "three");
            expectMessage(client, "one");
            String two = expectMessage(client, "two");
            String three = expectMessage(client, "three");

            ack(client, "ACK", two); // settles "one" as well

            // "three" is left unacknowledged: its timer redelivers it. Had the ACK settled only
            // "two", the timer of "one" (started earlier) would have redelivered "one" before it.
            String again = expectMessage(client, "three");
            assertThat(header(again, "redelivered")).isEqualTo("true");
            assertThat(header(again, "message-id")).isEqualTo(header(three, "message-id"));
            ack(client, "ACK", again);
        }
    }

    @Test
    void aNackOfOneMessageRedeliversItAndEveryEarlierUnacknowledgedOneInOrder() throws Exception {
        try (RawStompClient client = connected("cumulative-nack")) {
            subscribeInClientMode(client, "nack-cumulative");
            send(client, "nack-cumulative", "one");
            send(client, "nack-cumulative", "two");
            send(client, "nack-cumulative", "three");
            String one = expectMessage(client, "one");
            String two = expectMessage(client, "two");
            expectMessage(client, "three");

            ack(client, "NACK", two);

            String oneAgain = expectMessage(client, "one");
            String twoAgain = expectMessage(client, "two");
            assertThat(header(oneAgain, "message-id")).isEqualTo(header(one, "message-id"));
            assertThat(header(twoAgain, "message-id")).isEqualTo(header(two, "message-id"));
            assertThat(header(oneAgain, "redelivered")).isEqualTo("true");
            assertThat(header(twoAgain, "redelivered")).isEqualTo("true");

            // The redeliveries now come after "three" in the subscription: acking the last one
            // acknowledges all three, so only "four" (the clock, see the class comment) comes back.
            ack(client, "ACK", twoAgain);
            send(client, "nack-cumulative", "four");
            expectMessage(client, "four");
            assertThat(header(expectMessage(client, "four"), "redelivered")).isEqualTo("true");
        }
    }

    @Test
    void anUnacknowledgedMessageIsRedeliveredAfterTheAckTimeoutUpToTheMaximumDeliveries() throws Exception {
        try (RawStompClient client = connected("never-acks")) {
            subscribeInClientMode(client, "ack-timeout");
            send(client, "ack-timeout", "one");
            String first = expectMessage(client, "one");
            assertThat(first).doesNotContain("\nredelivered:");
            for (int delivery = 2; delivery <= 3; delivery++) {
                String again = expectMessage(client, "one");
                assertThat(header(again, "redelivered")).as("delivery %d", delivery).isEqualTo("true");
                assertThat(header(again, "message-id")).isEqualTo(header(first, "message-id"));
            }

            // The third delivery was the last (stomp.max.deliveries 3): "two", sent after it, is
            // redelivered before any fourth delivery of "one" could come.
            send(client, "ack-timeout", "two");
            expectMessage(client, "two");
            assertThat(header(expectMessage(client, "two"), "redelivered")).isEqualTo("true");
        }
    }
}
