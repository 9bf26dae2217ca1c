package dev.switchboard.broker;

import java.util.regex.Pattern;

/**
 * The shape of topic names and channel ids: {@code [A-Za-z0-9._:-]{1,128}}, so they fit in URL
 * paths and STOMP destinations unescaped.
 */
public final class TopicNames {
    /** The rule, as error messages state it. */
    public static final String RULE = "[A-Za-z0-9._:-]{1,128}";
    private static final Pattern NAME = Pattern.compile(RULE);

    private TopicNames() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
