package dev.switchboard.examples.callcentre;

import dev.switchboard.broker.ApplicationHandler.InboundMessage;
import dev.switchboard.handlers.MessageMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The agent page's buttons: it sends the call's id to {@code accept}, {@code reject} or
 * {@code hangup} (a native {@code send}; {@code /app/accept} in STOMP). The user is the one the
 * session's token names, never a field of the message. Nothing is published in reply: the new
 * board reaches every page through the board topic.
 */
@ApplicationScoped
public class CallHandlers {

    private final CallCentre centre;

    @Inject
    public CallHandlers(CallCentre centre) {
        this.centre = centre;
    }

    /** For the CDI container's client proxy only. */
    protected CallHandlers() {
        this.centre = null;
    }

    @MessageMapping("accept")
    public void accept(String callId, InboundMessage message) {
        centre.accept(message.user(), callId);
    }

    @MessageMapping("reject")
    public void reject(String callId, InboundMessage message) {
        centre.reject(message.user(), callId);
    }

    @MessageMapping("hangup")
    public void hangUp(String callId, InboundMessage message) {
        centre.hangUp(message.user(), callId);
    }
}
