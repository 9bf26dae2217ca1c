package dev.switchboard.protocol;

/**
 * The nesting limit on JSON that enters the service (native frames, STOMP JSON bodies, HTTP API
 * bodies): arrays and objects may be nested at most {@link #MAX_DEPTH} deep, the outermost value
 * counting as level 1.
 *
 * <p>Why a limit of our own: the JSON-P implementation (Parsson) refuses input deeper than 1,000
 * levels with a bare {@code RuntimeException}, which escaped the native decoder and made the
 * container close the session with 1002; another implementation might recurse until the stack
 * overflows instead. Checking depth before parsing gives one answer on every container, and a
 * payload accepted at 512 levels still fits the 1,000 of a Parsson-based client after the server
 * wraps it in a {@code message} frame (one more level).
 *
 * <p>The check is one pass over the text without allocation: brackets inside strings do not count.
 * It does not validate the JSON (unbalanced brackets are left for the parser to refuse). Stateless
 * and thread safe.
 */
public final class JsonNesting {

    /** Deepest nesting accepted: comfortably above the 500 levels real payloads were seen to need. */
    public static final int MAX_DEPTH = 512;

    /** The text of the refusal, for error frames and 400 bodies alike. */
    public static final String TOO_DEEP = "JSON nested deeper than " + MAX_DEPTH + " levels";

    private JsonNesting() {
    }

    /** True if {@code json} opens more than {@link #MAX_DEPTH} arrays or objects at some point. */
    public static boolean tooDeep(CharSequence json) {
        return exceeds(json, MAX_DEPTH);
    }

    /**
     * True if {@code json} opens more than {@code maxDepth} arrays or objects at some point; stops
     * reading at the first bracket past the limit.
     */
    static boolean exceeds(CharSequence json, int maxDepth) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++; // RFC 8259 section 7: the escaped character, even a quote, belongs to the string
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > maxDepth) {
                    return true;
                }
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return false;
    }
}
