package dev.switchboard.events;

import java.time.Instant;

/**
 * Something that happened to the sessions or topics of a Switchboard deployment, as application
 * code sees it: observe one type ({@code @ObservesAsync UserOnline}) or all of them
 * ({@code @ObservesAsync SwitchboardEvent}). Fired asynchronously, in the order things happened on
 * the node that reports them, so an observer never holds up a delivery (docs/events.md).
 */
public sealed interface SwitchboardEvent permits SessionOpened, SessionClosed, UserOnline, UserOffline, Subscribed,
        Unsubscribed, TopicOccupied, TopicVacated {

    /** The node that reports the event (its {@code SWITCHBOARD_NODE_ID}). */
    String node();

    /** When it happened, by the reporting node's clock. */
    Instant at();
}
