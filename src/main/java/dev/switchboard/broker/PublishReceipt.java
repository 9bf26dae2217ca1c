package dev.switchboard.broker;

/** What the broker assigned to an accepted topic message. */
public record PublishReceipt(String id, long offset, String epoch, int recipients) {
}
