package dev.switchboard.broker;

/**
 * What the broker did with a user, channel or broadcast push (docs/pusher.md, docs/http-api.md):
 * {@code id} is the message id clients see (and ack); {@code sessions} is how many sessions got
 * it: for a user push, the user's open sessions on every node; for a channel push, 1; for a
 * broadcast, this node's sessions only.
 */
public record PushReceipt(String id, int sessions) {
}
