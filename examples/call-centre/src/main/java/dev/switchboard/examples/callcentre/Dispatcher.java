package dev.switchboard.examples.callcentre;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.PushReceipt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;

/** Offers an incoming call to an agent: application code pushing through Switchboard. */
@ApplicationScoped
public class Dispatcher {

    private final Broker broker;
    private final Jsonb jsonb;

    @Inject
    public Dispatcher(Broker broker, Jsonb jsonb) {
        this.broker = broker;
        this.jsonb = jsonb;
    }

    /** Required by CDI for the client proxy of a normal-scoped bean. */
    protected Dispatcher() {
        this.broker = null;
        this.jsonb = null;
    }

    public PushReceipt offerCall(String agent, String caller) {
        return broker.pushToUser(agent, null, jsonb.toJson(new CallOffer(caller)), false);
    }

    /** What an agent's client receives as {@code data}. */
    public record CallOffer(String caller) {
    }
}
