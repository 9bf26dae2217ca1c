package dev.switchboard.bench.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One soak session slot: a channel that connects, lives, disconnects and reconnects with resume
 * over and over, and what it knows of its topics across those connections. Touched only by the
 * {@link SoakClient}'s selector thread.
 */
final class SoakSession {

    /** Where one topic's stream stands for this session, kept across reconnects for resume. */
    static final class TopicState {
        final String topic;
        final boolean call;
        /** Offset of the last message seen (or the subscribe point); -1 while unknown. */
        long position = -1;
        /** A subscribe was sent and its {@code subscribed} has not arrived: messages now are replay. */
        boolean awaiting;
        /** The pending subscribe carried {@code since}. */
        boolean resuming;
        /** When to unsubscribe (the call ended; kept a little longer for messages in flight); 0: not leaving. */
        long leaveAtNanos;
        /** Unsubscribe sent: no longer resumed, still checked for what was in flight. */
        boolean left;

        TopicState(String topic, boolean call) {
            this.topic = topic;
            this.call = call;
        }
    }

    final int index;
    final int group;
    /** A staller stalls in every life: reads for a while, then stops reading until the server gives up on it. */
    final boolean staller;
    /** Also follows the feed: big messages, so that a stall passes the server's bounds within the run. */
    final boolean feed;
    final String channelId;
    final String token;
    final Map<String, TopicState> topics = new LinkedHashMap<>();

    /** A fragmented text message being put together (RFC 6455 section 5.4); fragmentLength 0: none. */
    byte[] fragments = new byte[0];
    int fragmentLength;

    /** The current connection; null while disconnected. */
    WsConnection connection;
    /** While disconnected: when to connect again. */
    long connectAtNanos;
    /** Waiting in the client's queue of connections to open. */
    boolean queued;
    boolean welcomed;
    /** Welcomed and every subscribe of this connection answered. */
    boolean ready;
    /** When a non-staller closes this connection itself. */
    long lifeEndsAtNanos;
    /** The call this connection follows; Long.MIN_VALUE before the first. */
    long callIndex = Long.MIN_VALUE;

    long stallAtNanos;
    boolean stalled;
    long resumeAtNanos;
    boolean resumed;
    long giveUpAtNanos;

    SoakSession(int index, int group, boolean staller, boolean feed, String channelId, String token) {
        this.index = index;
        this.group = group;
        this.staller = staller;
        this.feed = feed;
        this.channelId = channelId;
        this.token = token;
    }

    /** Forgets what belonged to the connection that ended; topic positions stay for the resume. */
    void disconnected() {
        connection = null;
        fragmentLength = 0;
        welcomed = false;
        ready = false;
        stalled = false;
        resumed = false;
        topics.values().removeIf(state -> state.left || state.leaveAtNanos != 0);
        topics.values().forEach(state -> {
            state.awaiting = false;
            state.resuming = false;
        });
    }
}
