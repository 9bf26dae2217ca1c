package dev.switchboard.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.ApplicationHandler.InboundMessage;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerStats;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.InMemoryInbox;
import dev.switchboard.broker.InMemorySessionRegistry;
import dev.switchboard.broker.InMemorySubscriptionRegistry;
import dev.switchboard.broker.MemoryBudget;
import dev.switchboard.broker.MessageIds;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.push.Pusher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.weld.bootstrap.WeldBootstrap;
import org.jboss.weld.bootstrap.api.Environments;
import org.jboss.weld.bootstrap.spi.BeansXml;
import org.jboss.weld.environment.deployment.WeldBeanDeploymentArchive;
import org.jboss.weld.environment.deployment.WeldDeployment;
import org.jboss.weld.environment.deployment.WeldResourceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application-handler programming model in a real CDI container: Weld (the one the servlet
 * WAR and the standalone jar bundle) boots with an application's bean and the extensions the
 * project registers in {@code META-INF/services}, as a deployment does; the handlers are then built
 * the way the application builds them ({@link MappedMethodHandler#forMappings}) and called the way
 * a STOMP SEND to {@code /app/<name>} or a native {@code send} calls them.
 */
class MessageMappingTest {

    /** A handler bean as an application writes one (the example in {@link MessageMapping}'s Javadoc, and more). */
    @ApplicationScoped
    public static class Greetings {

        @MessageMapping("greet")
        @SendTo("/topic/greetings")
        public String greet(String name) {
            return "hello, " + name;
        }

        /** No {@code @SendTo}: published to {@code /topic/orders}. */
        @MessageMapping("orders")
        public Map<String, String> order(JsonValue order, InboundMessage message) {
            return Map.of("item", order.asJsonObject().getString("item"), "by", message.user());
        }

        /** Null: nothing to publish. */
        @MessageMapping("quiet")
        public String quiet(String text) {
            return null;
        }
    }

    private static WeldBootstrap weld;
    private static BeanManager beans;
    private static final Jsonb JSONB = JsonbBuilder.create();

    private final RedeliveryPolicy acks = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2), 10,
            Duration.ofDays(1), 10);
    private final MutableClock clock = MutableClock.atFixedInstant();
    private final Broker broker = new Broker(new InMemorySubscriptionRegistry(), new InMemorySessionRegistry(),
            new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)), new MessageIds(), new BrokerStats(), clock,
            "node-1", "epoch-1", new HistoryPolicy(10, Duration.ofMinutes(1)), new InMemoryInbox(acks), acks,
            new MemoryBudget(Long.MAX_VALUE));

    @BeforeAll
    static void bootWeld() {
        weld = new WeldBootstrap();
        WeldBeanDeploymentArchive archive = new WeldBeanDeploymentArchive("handlers-test",
                List.of(Greetings.class.getName()), BeansXml.EMPTY_BEANS_XML);
        // Mutable: Weld adds an archive of its own for the extensions, which live outside this one.
        WeldDeployment deployment = new WeldDeployment(new WeldResourceLoader(), weld, new HashSet<>(Set.of(archive)),
                weld.loadExtensions(MessageMappingTest.class.getClassLoader()));
        weld.startContainer("handlers-test", Environments.SE, deployment).startInitialization().deployBeans()
                .validateBeans().endInitialization();
        beans = weld.getManager(archive);
    }

    @AfterAll
    static void shutdownWeld() throws Exception {
        weld.shutdown();
        JSONB.close();
    }

    private ApplicationHandlers handlers() {
        return new ApplicationHandlers(MappedMethodHandler.forMappings(beans.getExtension(MessageMappingExtension.class),
                beans, new Pusher(broker, JSONB), JSONB));
    }

    @Test
    void theExtensionFindsEveryMessageMappingMethodOfABeanWithItsSendToDestination() {
        MessageMappingExtension extension = beans.getExtension(MessageMappingExtension.class);

        assertThat(extension.mappings())
                .extracting(MessageMappingExtension.Mapping::destination, MessageMappingExtension.Mapping::sendTo)
                .containsExactlyInAnyOrder(tuple("greet", "/topic/greetings"), tuple("orders", "/topic/orders"),
                        tuple("quiet", "/topic/quiet"));
    }

    @Test
    void aMappedMethodGetsThePayloadAndItsReturnValueIsPublishedToTheSendToTopic() {
        Recorder greetings = subscribed("greetings");

        handlers().forDestination("greet").orElseThrow().handle(new InboundMessage("alice", "session-1", "\"world\""));

        assertThat(greetings.payloads()).containsExactly("\"hello, world\"");
    }

    @Test
    void aMappedMethodCanTakeTheJsonPayloadAndTheSenderAndReturnAnObjectThatIsPublishedAsJson() {
        Recorder orders = subscribed("orders");

        handlers().forDestination("orders").orElseThrow()
                .handle(new InboundMessage("bob", "session-2", "{\"item\":\"tea\",\"count\":2}"));

        assertThat(orders.payloads()).singleElement().satisfies(json -> {
            JsonObject published = JSONB.fromJson(json, JsonObject.class);
            assertThat(published.getString("item")).isEqualTo("tea");
            assertThat(published.getString("by")).isEqualTo("bob");
        });
    }

    @Test
    void aMappedMethodThatReturnsNullPublishesNothing() {
        Recorder quiet = subscribed("quiet");

        handlers().forDestination("quiet").orElseThrow().handle(new InboundMessage("carol", "session-3", "\"psst\""));

        assertThat(quiet.payloads()).isEmpty();
        assertThat(broker.publish("quiet", "\"marker\"").offset()).as("nothing was published before").isEqualTo(1);
    }

    @Test
    void aDestinationWithoutAMappedMethodHasNoHandler() {
        assertThat(handlers().forDestination("nowhere")).isEmpty();
    }

    private Recorder subscribed(String topic) {
        Recorder recorder = new Recorder();
        broker.subscribe(topic, recorder, null, delivery -> { }, outcome -> { });
        return recorder;
    }

    /** A session that records the payloads delivered to it. */
    private static final class Recorder implements Subscriber {
        private final ConcurrentLinkedQueue<String> payloads = new ConcurrentLinkedQueue<>();

        List<String> payloads() {
            return List.copyOf(payloads);
        }

        @Override public String sessionId() { return "recorder"; }

        @Override public String user() { return "recorder"; }

        @Override public String channelId() { return null; }

        @Override public String protocol() { return "test"; }

        @Override public Instant openedAt() { return Instant.EPOCH; }

        @Override public void deliver(Delivery delivery) { payloads.add(delivery.dataJson()); }

        @Override public void disconnect(CloseCode reason) { }
    }
}
