package dev.switchboard.handlers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a CDI bean as the handler of an application destination: STOMP SENDs to
 * {@code /app/<value>} and native {@code send} frames with {@code to: <value>}.
 *
 * <p>Parameters, in any order, each optional: a {@code String} (the payload as text: a JSON
 * string's value, otherwise the JSON text), a {@code jakarta.json.JsonValue} (the payload), an
 * {@link dev.switchboard.broker.ApplicationHandler.InboundMessage} (payload, user, session). A
 * non-null return value is published to the {@link SendTo} destination, by default
 * {@code /topic/<value>}: a {@code String} as a JSON string, a {@code JsonValue} as is, anything
 * else through JSON-B, with the rules and limits of {@link dev.switchboard.push.Pusher#toTopic}. To
 * push elsewhere, to the sender's user for instance, inject the {@link dev.switchboard.push.Pusher}.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class Greetings {
 *     @MessageMapping("greet")
 *     @SendTo("/topic/greetings")
 *     public String greet(String name) { return "hello, " + name; }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface MessageMapping {
    /** The destination name, e.g. {@code echo} for {@code /app/echo}. */
    String value();
}
