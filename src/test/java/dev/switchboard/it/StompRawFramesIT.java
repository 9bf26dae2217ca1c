package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

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
}
