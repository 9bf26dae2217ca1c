package dev.switchboard.security;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ClientIdentity;
import java.util.List;

/**
 * The default destination rules: anyone may subscribe; publishing from a client needs role
 * {@code publisher}, or a topic matching one of the configured open-publish patterns
 * (SWITCHBOARD_PUBLISH_OPEN_TOPICS, same pattern syntax as the {@code channels} claim).
 */
public final class RoleAccessPolicy implements AccessPolicy {

    private final List<String> openPublishTopics;

    public RoleAccessPolicy(List<String> openPublishTopics) {
        this.openPublishTopics = List.copyOf(openPublishTopics);
    }

    @Override
    public boolean mayPublish(ClientIdentity client, String topic) {
        return client.hasRole(VerifiedToken.ROLE_PUBLISHER) || ChannelPatterns.anyMatches(openPublishTopics, topic);
    }

    @Override
    public boolean maySubscribe(ClientIdentity client, String topic) {
        return true;
    }
}
