package dev.switchboard.webhook;

import dev.switchboard.events.SessionClosed;
import dev.switchboard.events.SessionOpened;
import dev.switchboard.events.SwitchboardEvent;
import dev.switchboard.events.TopicOccupied;
import dev.switchboard.events.TopicVacated;
import dev.switchboard.events.UserOffline;
import dev.switchboard.events.UserOnline;

/**
 * One element of a webhook body, as JSON-B writes it (null fields are left out). Public with public
 * fields for JSON-B. The field names are the contract's ({@code name}, {@code ts}, {@code node},
 * plus {@code user}, {@code channelId} or {@code topic}); the format is documented in
 * docs/events.md, Webhooks.
 */
public final class WebhookEvent {

    /** {@code user.online}, {@code user.offline}, {@code channel.opened}, {@code channel.closed}, {@code topic.occupied}, {@code topic.vacated}. */
    public String name;
    /** Unique per event: the receiver's key for dropping a duplicate that a retry sent again. */
    public String id;
    /** When it happened, in epoch milliseconds (as a message's {@code ts}). */
    public long ts;
    public String node;
    public String user;
    public String session;
    public String channelId;
    public String protocol;
    public String topic;
    public Integer code;
    public String reason;

    /**
     * The webhook form of {@code event}, or null for the events that have none: a session's
     * subscriptions, which topic.occupied and topic.vacated sum up, and the opening and closing of a
     * session that holds no channel (STOMP, SockJS without one), which user.online and user.offline
     * sum up.
     */
    static WebhookEvent of(SwitchboardEvent event, String id) {
        WebhookEvent out = new WebhookEvent();
        out.id = id;
        out.node = event.node();
        out.ts = event.at().toEpochMilli();
        if (event instanceof UserOnline online) {
            out.name = "user.online";
            out.user = online.user();
        } else if (event instanceof UserOffline offline) {
            out.name = "user.offline";
            out.user = offline.user();
        } else if (event instanceof SessionOpened opened && opened.channelId() != null) {
            out.name = "channel.opened";
            out.user = opened.user();
            out.session = opened.sessionId();
            out.channelId = opened.channelId();
            out.protocol = opened.protocol();
        } else if (event instanceof SessionClosed closed && closed.channelId() != null) {
            out.name = "channel.closed";
            out.user = closed.user();
            out.session = closed.sessionId();
            out.channelId = closed.channelId();
            out.protocol = closed.protocol();
            out.code = closed.closeCode();
            out.reason = closed.reason();
        } else if (event instanceof TopicOccupied occupied) {
            out.name = "topic.occupied";
            out.topic = occupied.topic();
        } else if (event instanceof TopicVacated vacated) {
            out.name = "topic.vacated";
            out.topic = vacated.topic();
        } else {
            return null;
        }
        return out;
    }
}
