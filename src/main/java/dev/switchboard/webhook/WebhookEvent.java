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
 * fields for JSON-B. The format is documented in docs/events.md, Webhooks.
 */
public final class WebhookEvent {

    /** {@code user.online}, {@code user.offline}, {@code channel.opened}, {@code channel.closed}, {@code topic.occupied}, {@code topic.vacated}. */
    public String type;
    /** Unique per event: the receiver's key for dropping a duplicate that a retry sent again. */
    public String id;
    /** ISO-8601 instant. */
    public String time;
    public String node;
    public String user;
    public String session;
    public String channel;
    public String protocol;
    public String topic;
    public Integer code;
    public String reason;

    /**
     * The webhook form of {@code event}, or null for the events that have none (a session's
     * subscriptions, which topic.occupied and topic.vacated sum up).
     */
    static WebhookEvent of(SwitchboardEvent event, String id) {
        WebhookEvent out = new WebhookEvent();
        out.id = id;
        out.node = event.node();
        out.time = event.at().toString();
        if (event instanceof UserOnline online) {
            out.type = "user.online";
            out.user = online.user();
        } else if (event instanceof UserOffline offline) {
            out.type = "user.offline";
            out.user = offline.user();
        } else if (event instanceof SessionOpened opened) {
            out.type = "channel.opened";
            out.user = opened.user();
            out.session = opened.sessionId();
            out.channel = opened.channelId();
            out.protocol = opened.protocol();
        } else if (event instanceof SessionClosed closed) {
            out.type = "channel.closed";
            out.user = closed.user();
            out.session = closed.sessionId();
            out.channel = closed.channelId();
            out.protocol = closed.protocol();
            out.code = closed.closeCode();
            out.reason = closed.reason();
        } else if (event instanceof TopicOccupied occupied) {
            out.type = "topic.occupied";
            out.topic = occupied.topic();
        } else if (event instanceof TopicVacated vacated) {
            out.type = "topic.vacated";
            out.topic = vacated.topic();
        } else {
            return null;
        }
        return out;
    }
}
