package dev.switchboard.broker;

/** What the broker did with a user, channel or broadcast push: the message id and how many sessions got it. */
public record PushReceipt(String id, int sessions) {
}
