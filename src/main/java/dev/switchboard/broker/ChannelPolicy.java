package dev.switchboard.broker;

/** What happens when a second session asks for a channel that is already open. */
public enum ChannelPolicy {
    /** The newcomer is refused (HTTP 409); the open session keeps the channel. */
    REJECT,
    /** The newcomer wins; the open session is closed with {@link CloseCode#REPLACED}. */
    REPLACE
}
