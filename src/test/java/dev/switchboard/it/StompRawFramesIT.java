package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** STOMP input that no conforming client sends, written by hand on the WebSocket. */
@ContainerMatrix
class StompRawFramesIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("stomp-raw", Map.of());

    private static String connectFrame(String user, String heartBeat) {
        return "CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:" + heartBeat + "\nAuthorization:Bearer "
                + TestTokens.token(user, "publisher") + "\n\n\0";
    }

    /** A raw client past CONNECT, without heart-beats. */
    private static RawStompClient connected(String user) throws Exception {
        RawStompClient client = RawStompClient.connect(server);
        client.send(connectFrame(user, "0,0"));
        assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        return client;
    }

    @Test
    void anOfferedV10OrV11SubprotocolIsChosenAndAcceptVersionSetsTheVersion() throws Exception {
        try (RawStompClient client = RawStompClient.connect(server, List.of("v10.stomp"))) {
            assertThat(client.subprotocol()).isEqualTo("v10.stomp");
            // No accept-version: a STOMP 1.0 client (STOMP 1.2, "Protocol Negotiation").
            client.send("CONNECT\nAuthorization:Bearer " + TestTokens.token("v10") + "\n\n\0");
            assertThat(client.nextFrame()).startsWith("CONNECTED\n").contains("version:1.0\n");
        }
        try (RawStompClient client = RawStompClient.connect(server, List.of("v11.stomp"))) {
            assertThat(client.subprotocol()).isEqualTo("v11.stomp");
            client.send("CONNECT\naccept-version:1.0,1.1\nhost:localhost\nAuthorization:Bearer "
                    + TestTokens.token("v11") + "\n\n\0");
            assertThat(client.nextFrame()).startsWith("CONNECTED\n").contains("version:1.1\n");
        }
    }

    @Test
    void aClientThatOffersNoSubprotocolStillGetsStomp12() throws Exception {
        try (RawStompClient client = RawStompClient.connect(server, List.of())) {
            assertThat(client.subprotocol()).isEmpty();
            client.send(connectFrame("no-subprotocol", "0,0"));
            assertThat(client.nextFrame()).startsWith("CONNECTED\n").contains("version:1.2\n");
            // 1.2 header escaping both ways: "\c" arrives as a colon and goes back out escaped.
            client.send("SUBSCRIBE\nid:0\ndestination:/topic/no-subprotocol\nreceipt:r\\c1\n\n\0");
            assertThat(client.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:r\\c1\n");
        }
    }

    @Test
    void aFrameBeforeConnectIsAnErrorAndCloses() throws Exception {
        try (RawStompClient client = RawStompClient.connect(server)) {
            client.send("SUBSCRIBE\nid:0\ndestination:/topic/x\n\n\0");
            String error = client.nextFrame();
            assertThat(error).startsWith("ERROR\n").contains("message:CONNECT expected");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void aMalformedFrameIsAnErrorAndCloses() throws Exception {
        try (RawStompClient client = connected("raw")) {
            client.send("FOO\n\n\0");
            assertThat(client.nextFrame()).startsWith("ERROR\n").contains("message:malformed frame");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void aClientThatPromisedHeartBeatsAndFallsSilentIsDropped() throws Exception {
        try (RawStompClient client = RawStompClient.connect(server)) {
            client.send(connectFrame("silent", "1000,0"));
            assertThat(client.nextFrame()).startsWith("CONNECTED\n").contains("heart-beat:0,1000");
            // No more bytes from us: after two intervals without a beat the server gives up on us.
            assertThat(client.nextFrame()).startsWith("ERROR\n").contains("message:heart-beat timeout");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void sendsInATransactionArriveAtCommitAndNeverAfterAbort() throws Exception {
        try (RawStompClient client = connected("tx")) {
            client.send("SUBSCRIBE\nid:0\ndestination:/topic/tx\nreceipt:r0\n\n\0");
            assertThat(client.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:r0");
            client.send("BEGIN\ntransaction:t1\n\n\0"
                    + "SEND\ndestination:/topic/tx\ntransaction:t1\n\none\0"
                    + "SEND\ndestination:/topic/tx\ntransaction:t1\n\ntwo\0"
                    + "SEND\ndestination:/topic/tx\n\noutside\0"
                    + "COMMIT\ntransaction:t1\n\n\0"
                    + "BEGIN\ntransaction:t2\n\n\0"
                    + "SEND\ndestination:/topic/tx\ntransaction:t2\n\naborted\0"
                    + "ABORT\ntransaction:t2\n\n\0"
                    + "SEND\ndestination:/topic/tx\n\nmarker\0");
            assertThat(client.nextFrame()).startsWith("MESSAGE\n").endsWith("\n\noutside\0");
            assertThat(client.nextFrame()).endsWith("\n\none\0");
            assertThat(client.nextFrame()).endsWith("\n\ntwo\0");
            assertThat(client.nextFrame()).as("the aborted send never arrives").endsWith("\n\nmarker\0");
        }
    }

    @Test
    void aBinaryBodyIsDeliveredAsABinaryMessageWithItsBytesAndContentType() throws Exception {
        try (RawStompClient client = connected("bin")) {
            client.send("SUBSCRIBE\nid:0\ndestination:/topic/raw-bin\nreceipt:r0\n\n\0");
            assertThat(client.nextFrame()).startsWith("RECEIPT\n");
            client.sendBinary(("SEND\ndestination:/topic/raw-bin\ncontent-type:application/octet-stream\n"
                    + "content-length:4\n\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    new byte[] {0, (byte) 0xFF, 0, 1}, new byte[] {0});
            String message = client.nextFrame();
            assertThat(message).startsWith("MESSAGE\n").contains("content-type:application/octet-stream\n")
                    .contains("content-length:4\n").endsWith("\n\n\u0000\u00FF\u0000\u0001\u0000");
        }
    }

    @Test
    void subscribeWithSinceHeadersReplaysTheMissedMessagesBeforeAReceiptThatSaysRecovered() throws Exception {
        HttpApi api = HttpApi.withApiKey(server);
        String epoch = api.post("/api/v1/topics/raw-resume/messages", "{\"data\":\"one\"}").json().getString("epoch");
        api.post("/api/v1/topics/raw-resume/messages", "{\"data\":\"two\"}");
        api.post("/api/v1/topics/raw-resume/messages", "{\"data\":\"three\"}");
        try (RawStompClient client = connected("resumer")) {
            client.send("SUBSCRIBE\nid:0\ndestination:/topic/raw-resume\nsince-offset:1\nsince-epoch:" + epoch
                    + "\nreceipt:r1\n\n\0");
            assertThat(client.nextFrame()).startsWith("MESSAGE\n").contains("offset:2\n").endsWith("\n\ntwo\0");
            assertThat(client.nextFrame()).startsWith("MESSAGE\n").contains("offset:3\n").endsWith("\n\nthree\0");
            assertThat(client.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:r1\n")
                    .contains("recovered:true\n").contains("offset:3\n");
        }
    }

    @Test
    void disconnectWithAReceiptIsAnsweredThenClosed() throws Exception {
        try (RawStompClient client = connected("bye")) {
            client.send("DISCONNECT\nreceipt:bye-1\n\n\0");
            assertThat(client.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:bye-1");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1000);
        }
    }

    @Test
    void aSendToAQueueReachesEverySubscriberOfThatQueueAndNoneOfTheSameNamedTopic() throws Exception {
        try (RawStompClient worker1 = connected("queue-worker-1");
                RawStompClient worker2 = connected("queue-worker-2");
                RawStompClient topicReader = connected("queue-topic-reader");
                ChannelClient nativeReader = ChannelClient.connect(server, TestTokens.token("queue-native"),
                        "raw-queue-native")) {
            worker1.send("SUBSCRIBE\nid:0\ndestination:/queue/jobs\nreceipt:r0\n\n\0");
            assertThat(worker1.nextFrame()).startsWith("RECEIPT\n");
            worker2.send("SUBSCRIBE\nid:0\ndestination:/queue/jobs\nreceipt:r0\n\n\0");
            assertThat(worker2.nextFrame()).startsWith("RECEIPT\n");
            topicReader.send("SUBSCRIBE\nid:0\ndestination:/topic/jobs\nreceipt:r0\n\n\0");
            assertThat(topicReader.nextFrame()).startsWith("RECEIPT\n");
            nativeReader.expect("welcome");
            nativeReader.send("{\"type\":\"subscribe\",\"topic\":\"jobs\"}");
            nativeReader.expect("subscribed");

            worker1.send("SEND\ndestination:/queue/jobs\n\njob-1\0");

            // Spring simple-broker semantics (docs/stomp.md): every subscriber of the queue gets it,
            // the sender included; it is not a work queue that hands each message to one consumer.
            assertThat(worker1.nextFrame()).startsWith("MESSAGE\n").contains("destination:/queue/jobs\n")
                    .endsWith("\n\njob-1\0");
            assertThat(worker2.nextFrame()).startsWith("MESSAGE\n").contains("destination:/queue/jobs\n")
                    .endsWith("\n\njob-1\0");
            // /queue/jobs is its own namespace: /topic/jobs and native "jobs" see only the marker.
            worker1.send("SEND\ndestination:/topic/jobs\n\nmarker\0");
            assertThat(topicReader.nextFrame()).as("the queue's message never reaches /topic/jobs")
                    .endsWith("\n\nmarker\0");
            JsonObject onNative = nativeReader.expect("message");
            assertThat(onNative.getString("data")).as("nor native topic jobs").isEqualTo("marker");
        }
    }

    @Test
    void aTransactionLeftOpenAtDisconnectIsDiscarded() throws Exception {
        try (RawStompClient reader = connected("tx-open-reader")) {
            reader.send("SUBSCRIBE\nid:0\ndestination:/topic/tx-open\nreceipt:r0\n\n\0");
            assertThat(reader.nextFrame()).startsWith("RECEIPT\n");
            try (RawStompClient writer = connected("tx-open-writer")) {
                writer.send("BEGIN\ntransaction:t1\n\n\0"
                        + "SEND\ndestination:/topic/tx-open\ntransaction:t1\n\nnever committed\0"
                        + "DISCONNECT\nreceipt:bye\n\n\0");
                assertThat(writer.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:bye");
                assertThat(writer.awaitClose(10).getCloseCode().getCode()).isEqualTo(1000);
            }
            awaitNoSessionOf("tx-open-writer");
            reader.send("SEND\ndestination:/topic/tx-open\n\nmarker\0");
            assertThat(reader.nextFrame()).as("the open transaction's send never arrives").endsWith("\n\nmarker\0");
        }
    }

    @Test
    void aTransactionLeftOpenWhenTheSocketDropsIsDiscarded() throws Exception {
        try (RawStompClient reader = connected("tx-drop-reader")) {
            reader.send("SUBSCRIBE\nid:0\ndestination:/topic/tx-drop\nreceipt:r0\n\n\0");
            assertThat(reader.nextFrame()).startsWith("RECEIPT\n");
            sendInAnOpenTransactionThenDropTheConnection("tx-drop-writer", "/topic/tx-drop");
            awaitNoSessionOf("tx-drop-writer");
            reader.send("SEND\ndestination:/topic/tx-drop\n\nmarker\0");
            assertThat(reader.nextFrame()).as("the open transaction's send never arrives").endsWith("\n\nmarker\0");
        }
    }

    /**
     * On a bare socket (a WebSocket library always sends a close frame): CONNECT, BEGIN and a SEND
     * in the transaction whose RECEIPT shows the server holds it, then a TCP reset, as when a
     * client process dies.
     */
    private static void sendInAnOpenTransactionThenDropTheConnection(String user, String destination)
            throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawUpgrade.request(server, "/ws/stomp?token=" + TestTokens.token(user, "publisher"), null));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(RawUpgrade.readHead(in)).startsWith("HTTP/1.1 101");
            out.write(MaskedFrames.text("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0"
                    + "BEGIN\ntransaction:t1\n\n\0"
                    + "SEND\ndestination:" + destination + "\ntransaction:t1\nreceipt:held\n\nnever committed\0"));
            out.flush();
            // Server frames are unmasked: the RECEIPT's text shows up as is in the byte stream.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (!received.toString(StandardCharsets.ISO_8859_1).contains("receipt-id:held")) {
                int next = in.read();
                assertThat(next).as("the server's RECEIPT for the held SEND").isNotNegative();
                received.write(next);
            }
            socket.setSoLinger(true, 0); // close() now resets the connection: no close frame, no FIN
        }
    }

    private static void awaitNoSessionOf(String user) {
        HttpApi api = HttpApi.withApiKey(server);
        await(user + "'s session gone").atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/users/" + user + "/sessions").json().getJsonArray("sessions").isEmpty());
    }
}
