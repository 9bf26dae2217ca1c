package dev.switchboard.stomp;

/** STOMP 1.2 commands (section "Frames"), client and server. */
public enum StompCommand {
    CONNECT, STOMP, CONNECTED, SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT, DISCONNECT,
    MESSAGE, RECEIPT, ERROR;

    /** CONNECT, STOMP and CONNECTED headers are never escaped (STOMP 1.2, "Value Encoding"). */
    public boolean escapesHeaders() {
        return this != CONNECT && this != STOMP && this != CONNECTED;
    }
}
