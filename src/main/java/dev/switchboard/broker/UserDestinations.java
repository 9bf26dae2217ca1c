package dev.switchboard.broker;

/**
 * The ways a backend may write a user destination in {@code POST /api/v1/users/{user}/messages}
 * (docs/http-api.md, User destinations), all naming the same destination {@code <name>}:
 *
 * <ul>
 *   <li>{@code notifications}: the bare name;
 *   <li>{@code /queue/notifications}: what Spring's
 *       {@code convertAndSendToUser(user, "/queue/notifications", payload)} is given, so a backend
 *       keeps its destination strings when it moves over;
 *   <li>{@code /user/queue/notifications}: what the user's STOMP session subscribes to.
 * </ul>
 *
 * <p>A STOMP session receives the destination {@code <name>} on {@code /user/queue/<name>}; a
 * native session sees {@code <name>} in the {@code destination} field of the {@code message}. No
 * other form is accepted: Switchboard's user destinations are queues only (Spring also resolves
 * {@code /user/topic/...}), and the user is named by the request path, never inside the destination.
 *
 * <p>Stateless and thread safe.
 */
public final class UserDestinations {

    /** The prefix of the destination a STOMP session subscribes to for its own user's messages. */
    public static final String USER_QUEUE_PREFIX = "/user/queue/";
    /** The accepted forms, as error messages state them. */
    public static final String FORMS = "<name>, /queue/<name> or /user/queue/<name>, with <name> matching "
            + TopicNames.RULE;

    private UserDestinations() {
    }

    /**
     * The destination name that {@code written} denotes in any of the three forms, or null if it
     * is none of them (an empty or invalid name, another prefix, a path with more segments).
     */
    public static String nameOf(String written) {
        if (written == null) {
            return null;
        }
        String name = written;
        if (written.startsWith(USER_QUEUE_PREFIX)) {
            name = written.substring(USER_QUEUE_PREFIX.length());
        } else if (written.startsWith(TopicDestinations.QUEUE_PREFIX)) {
            name = written.substring(TopicDestinations.QUEUE_PREFIX.length());
        }
        // The name rule has no '/', so what is left of any other path (or of "/queue/a/b") is refused here.
        return TopicNames.isValid(name) ? name : null;
    }
}
