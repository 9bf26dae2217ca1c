package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.client.SocketIoPackets.Kind;
import org.junit.jupiter.api.Test;

/** What the load generator makes of the frames a socket.io v4 server sends on the WebSocket transport. */
class SocketIoPacketsTest {

    private static Kind kind(String frame) {
        byte[] bytes = Ascii.bytes("xx" + frame + "yy"); // a range inside a larger buffer, as the parser hands it
        return SocketIoPackets.kind(bytes, 2, bytes.length - 2);
    }

    private static boolean isEvent(String frame, String name) {
        byte[] bytes = Ascii.bytes(frame);
        return SocketIoPackets.isEvent(bytes, 0, bytes.length, Ascii.bytes("\"" + name + "\""));
    }

    @Test
    void engineIoOpenAndPing() {
        assertThat(kind("0{\"sid\":\"Eh5axXvu\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}"))
                .isEqualTo(Kind.OPEN);
        assertThat(kind("2")).isEqualTo(Kind.PING);
        assertThat(kind("2probe")).isEqualTo(Kind.OTHER);
        assertThat(kind("3")).isEqualTo(Kind.OTHER);
        assertThat(kind("")).isEqualTo(Kind.OTHER);
    }

    @Test
    void socketIoConnectAcknowledgedOrRefused() {
        assertThat(kind("40{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}")).isEqualTo(Kind.CONNECTED);
        assertThat(kind("44{\"message\":\"invalid token\"}")).isEqualTo(Kind.CONNECT_ERROR);
        assertThat(kind("41")).isEqualTo(Kind.OTHER); // DISCONNECT
    }

    @Test
    void eventsOfTheMainNamespaceByName() {
        assertThat(kind("42[\"message\",{\"t\":1733490000000000,\"seq\":17}]")).isEqualTo(Kind.EVENT);
        assertThat(isEvent("42[\"message\",{\"t\":1,\"seq\":17}]", "message")).isTrue();
        assertThat(isEvent("42[\"subscribed\",\"bench\"]", "subscribed")).isTrue();
        assertThat(isEvent("42[\"subscribed\",\"bench\"]", "message")).isFalse();
        assertThat(isEvent("4213[\"message\",{}]", "message")).as("with an ack id").isTrue();
    }

    @Test
    void noEventOutsideTheMainNamespaceOrWithoutAName() {
        assertThat(kind("42/admin,[\"message\",{}]")).isEqualTo(Kind.OTHER);
        assertThat(kind("42")).isEqualTo(Kind.OTHER);
        assertThat(kind("42{}")).isEqualTo(Kind.OTHER);
        assertThat(isEvent("43[\"message\"]", "message")).as("an ACK").isFalse();
    }

    @Test
    void whatTheClientSends() {
        assertThat(SocketIoPackets.connect("a.b.c")).isEqualTo("40{\"token\":\"a.b.c\"}");
        assertThat(SocketIoPackets.event("subscribe", "bench")).isEqualTo("42[\"subscribe\",\"bench\"]");
        assertThat(new String(SocketIoPackets.PONG, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("3");
    }
}
