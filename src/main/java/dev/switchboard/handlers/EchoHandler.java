package dev.switchboard.handlers;

import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.Broker;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;

/**
 * The built-in example handler from the seed walk-through: a message {@code hello} sent to
 * {@code echo} is published to topic {@code echo} as {@code "reply: hello"}. A non-string payload
 * is echoed as its JSON text after the prefix.
 */
public final class EchoHandler implements ApplicationHandler {

    static final String DESTINATION = "echo";

    private final Broker broker;
    private final Jsonb jsonb;

    public EchoHandler(Broker broker, Jsonb jsonb) {
        this.broker = broker;
        this.jsonb = jsonb;
    }

    @Override
    public String destination() {
        return DESTINATION;
    }

    @Override
    public void handle(InboundMessage message) {
        JsonValue data = jsonb.fromJson(message.dataJson(), JsonValue.class);
        String text = data instanceof JsonString string ? string.getString() : message.dataJson();
        broker.publish(DESTINATION, jsonb.toJson("reply: " + text));
    }
}
