package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A rules file with a mistake is refused with one line that says what and where. */
class RulesFileParserTest {

    private static void refused(String text, String message) {
        assertThatThrownBy(() -> RulesFileParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        refused("rules:\n  - allow: subscribe\n   topic: [unclosed\n", "does not parse as YAML or JSON at line");
        refused("{\"rules\": [", "does not parse as YAML or JSON");
    }

    @Test
    void aTypoInAKeyIsAnErrorNotASilentlyIgnoredCondition() {
        refused("rules:\n  - allow: subscribe\n    topc: a\n", "rule 1: unknown key 'topc'");
        refused("rule:\n  - allow: subscribe\n", "the file: unknown key 'rule'");
    }

    @Test
    void everyRuleNeedsExactlyOneDecisionAndKnownActions() {
        refused("rules:\n  - topic: a\n", "rule 1 needs exactly one of 'allow' or 'deny'");
        refused("rules:\n  - allow: subscribe\n  - allow: read\n", "rule 2: unknown action 'read'");
        refused("rules:\n  - allow: subscribe\n    deny: publish\n", "rule 1 needs exactly one");
    }

    @Test
    void destinationsAreOneKindThatFitsTheActions() {
        refused("rules:\n  - allow: subscribe\n    topic: a\n    app: b\n", "more than one of");
        refused("rules:\n  - allow: subscribe\n    app: echo\n", "'app' goes with the action 'send' only");
        refused("rules:\n  - allow: send\n    topic: a\n", "'topic' goes with 'subscribe' and 'publish'");
    }

    @Test
    void patternsHoldOnlyNameCharactersWildcardsAndTheSubjectPlaceholder() {
        refused("rules:\n  - allow: subscribe\n    topic: \"a/{user}\"\n", "rule 1: pattern 'a/{user}' may hold only");
        refused("rules:\n  - allow: subscribe\n    topic: \"a.***\"\n", "may hold only");
    }

    @Test
    void conditionsAndDefaultsAreCheckedToo() {
        refused("rules:\n  - allow: subscribe\n    roles: {a: b}\n", "rule 1 'roles' must be a string or a list");
        refused("rules:\n  - allow: subscribe\n    claims: [tenant]\n", "'claims' must map claim names");
        refused("rules:\n  - allow: subscribe\n    users: [1234]\n", "quote ids that look like numbers: \"1234\"");
        refused("rules: []\ndefaults: {publish: maybe}\n", "must be allow or deny");
        refused("- allow: subscribe\n", "must be a map with a 'rules' list");
        refused("", "must be a map with a 'rules' list");
    }
}
