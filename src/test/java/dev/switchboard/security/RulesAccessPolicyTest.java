package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.ClientIdentity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rules files as operators write them, asked the questions the protocols ask. */
class RulesAccessPolicyTest {

    private static final String RULES = """
            rules:
              - allow: [subscribe, publish]
                topic: "agent.{sub}.*"
              - deny: subscribe
                topic: "agent.**"
              - allow: publish
                topic: "news.**"
                roles: [editor]
              - allow: subscribe
                topic: "tenant.acme.**"
                claims: {tenant: acme}
              - deny: subscribe
                topic: "tenant.**"
              - allow: publish
                topic: "ops.*"
                users: [carol]
              - deny: send
                app: "admin*"
              - allow: subscribe
                userQueue: "notifications"
              - deny: subscribe
                userQueue: "*"
              - allow: publish
                userQueue: "notes"
            """;

    private final RulesAccessPolicy policy = new RulesAccessPolicy(() -> RulesFileParser.parse(RULES));

    private static ClientIdentity client(String user, Set<String> roles, Map<String, List<String>> claims) {
        return new ClientIdentity(user, roles, null, null, null, claims);
    }

    private static ClientIdentity client(String user) {
        return client(user, Set.of(), Map.of());
    }

    @Test
    void theSubjectPlaceholderGivesEachUserTheirOwnTopics() {
        assertThat(policy.maySubscribe(client("alice"), "agent.alice.inbox")).isTrue();
        assertThat(policy.mayPublish(client("alice"), "agent.alice.outbox")).isTrue();
        assertThat(policy.maySubscribe(client("alice"), "agent.bob.inbox")).isFalse();
        assertThat(policy.mayPublish(client("alice"), "agent.bob.inbox")).isFalse();
        // * stays within a segment: alice cannot reach deeper, nor does user "alice.x" reach alice's.
        assertThat(policy.maySubscribe(client("alice"), "agent.alice.x.y")).isFalse();
        assertThat(policy.maySubscribe(client("alice.x"), "agent.alice.inbox")).isFalse();
        assertThat(policy.maySubscribe(client("alice.x"), "agent.alice.x.inbox")).isTrue();
    }

    @Test
    void aUserIdIsTakenLiterallyNotAsAPattern() {
        assertThat(policy.maySubscribe(client("a*"), "agent.abc.inbox")).isFalse();
    }

    @Test
    void publishIsDeniedByDefaultAndSubscribeAllowed() {
        assertThat(policy.mayPublish(client("alice"), "chat")).isFalse();
        assertThat(policy.mayPublish(client("alice", Set.of(VerifiedToken.ROLE_PUBLISHER), Map.of()), "chat"))
                .as("the publisher role means nothing to a rules file that does not name it").isFalse();
        assertThat(policy.maySubscribe(client("alice"), "chat")).isTrue();
    }

    @Test
    void rolesUsersAndClaimsSelectWhoARuleIsFor() {
        assertThat(policy.mayPublish(client("dan", Set.of("editor"), Map.of()), "news.world.eu")).isTrue();
        assertThat(policy.mayPublish(client("dan"), "news.world")).isFalse();
        assertThat(policy.mayPublish(client("carol"), "ops.alerts")).isTrue();
        assertThat(policy.mayPublish(client("dave"), "ops.alerts")).isFalse();
        assertThat(policy.maySubscribe(client("erin", Set.of(), Map.of("tenant", List.of("acme"))), "tenant.acme.x"))
                .isTrue();
        assertThat(policy.maySubscribe(client("erin", Set.of(), Map.of("tenant", List.of("globex", "acme"))),
                "tenant.acme.x")).as("a list claim matches when it holds the value").isTrue();
        assertThat(policy.maySubscribe(client("erin", Set.of(), Map.of("tenant", List.of("globex"))), "tenant.acme.x"))
                .isFalse();
        assertThat(policy.maySubscribe(client("erin"), "tenant.acme.x")).isFalse();
    }

    @Test
    void handlersAndUserQueuesHaveTheirOwnRules() {
        assertThat(policy.maySend(client("alice"), "echo")).isTrue();
        assertThat(policy.maySend(client("alice"), "adminReset")).isFalse();
        assertThat(policy.maySubscribeToUserQueue(client("alice"), "notifications")).isTrue();
        assertThat(policy.maySubscribeToUserQueue(client("alice"), "other")).isFalse();
        assertThat(policy.mayPublishToUserQueue(client("alice"), "notes")).isTrue();
        assertThat(policy.mayPublishToUserQueue(client("alice"), "notifications")).isFalse();
        // A topic rule never decides a user queue of the same name, nor the reverse.
        assertThat(policy.maySubscribe(client("alice"), "notifications")).isTrue();
    }

    @Test
    void theFirstMatchingRuleDecides() {
        RulesAccessPolicy ordered = new RulesAccessPolicy(() -> RulesFileParser.parse("""
                rules:
                  - deny: publish
                    topic: "chat.locked"
                  - allow: publish
                  - allow: publish
                    topic: "never.reached"
                    users: [nobody]
                """));

        assertThat(ordered.mayPublish(client("alice"), "chat.locked")).isFalse();
        assertThat(ordered.mayPublish(client("alice"), "chat.open")).as("a rule without destination covers all")
                .isTrue();
    }

    @Test
    void theFileMayChangeTheDefaultsAndJsonIsAcceptedToo() {
        RulesAccessPolicy closed = new RulesAccessPolicy(() -> RulesFileParser.parse("""
                {"defaults": {"subscribe": "deny", "send": "deny"},
                 "rules": [{"allow": "subscribe", "topic": "public.*"}]}
                """));

        assertThat(closed.maySubscribe(client("alice"), "public.news")).isTrue();
        assertThat(closed.maySubscribe(client("alice"), "private")).isFalse();
        assertThat(closed.maySend(client("alice"), "echo")).isFalse();
        assertThat(closed.mayPublish(client("alice"), "public.news")).isFalse();
    }
}
