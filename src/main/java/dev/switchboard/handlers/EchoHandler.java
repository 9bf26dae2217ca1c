package dev.switchboard.handlers;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The built-in example from the seed walk-through: {@code hello} sent to {@code /app/echo} (or a
 * native {@code send} to {@code echo}) is published to {@code /topic/echo} as {@code reply: hello}.
 */
@ApplicationScoped
public class EchoHandler {

    @MessageMapping("echo")
    @SendTo("/topic/echo")
    public String echo(String text) {
        return "reply: " + text;
    }
}
