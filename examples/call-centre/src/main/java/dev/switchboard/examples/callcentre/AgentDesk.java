package dev.switchboard.examples.callcentre;

import dev.switchboard.handlers.MessageMapping;
import dev.switchboard.handlers.SendTo;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's message handler: an agent sends its status to {@code status} and every
 * supervisor subscribed to topic {@code agent-status} sees it.
 */
@ApplicationScoped
public class AgentDesk {

    @MessageMapping("status")
    @SendTo("/topic/agent-status")
    public String status(String text) {
        return "agent status: " + text;
    }
}
