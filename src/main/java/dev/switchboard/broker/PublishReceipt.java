package dev.switchboard.broker;

/**
 * What the broker assigned to an accepted topic message (docs/pusher.md, docs/http-api.md): its
 * {@code id}, its {@code offset} and {@code epoch} in the topic's stream (what clients resume
 * from), and {@code recipients}, how many subscribers on this node it was handed to.
 */
public record PublishReceipt(String id, long offset, String epoch, int recipients) {
}
