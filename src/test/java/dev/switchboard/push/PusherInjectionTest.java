package dev.switchboard.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.ApplicationHandler.InboundMessage;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.RecordingSubscriber;
import dev.switchboard.broker.TestBrokers;
import dev.switchboard.handlers.MappedMethodHandler;
import dev.switchboard.handlers.MessageMapping;
import dev.switchboard.handlers.MessageMappingExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The Pusher as application code gets it: injected by Weld (the CDI container of the servlet WAR and
 * the standalone jar) into an application's bean, here a {@code @MessageMapping} handler that
 * answers on the sender's own user destination, as docs/pusher.md shows. The broker and the
 * {@code Jsonb} come from producers standing in for the project's (config.SwitchboardBeans).
 */
class PusherInjectionTest {

    /** Stands in for the project's producers of the two beans the Pusher needs. */
    @Dependent
    public static class BrokerParts {
        static final MutableClock CLOCK = MutableClock.atFixedInstant();
        static final Broker BROKER = TestBrokers.singleNode(new InMemoryChannelRegistry(CLOCK, Duration.ofSeconds(30)),
                CLOCK);
        static final Jsonb JSONB = JsonbBuilder.create();

        @Produces
        @Singleton
        Broker broker() {
            return BROKER;
        }

        @Produces
        @Singleton
        Jsonb jsonb() {
            return JSONB;
        }
    }

    /** An application's handler: the example of docs/pusher.md. */
    @ApplicationScoped
    public static class Orders {
        @Inject
        Pusher pusher;

        @MessageMapping("orders")
        public void place(JsonValue order, InboundMessage message) {
            pusher.toUser(message.user(), "/queue/orders", Map.of("received", order), false);
        }
    }

    private static WeldBootstrap weld;
    private static BeanManager beans;

    @BeforeAll
    static void bootWeld() {
        weld = new WeldBootstrap();
        WeldBeanDeploymentArchive archive = new WeldBeanDeploymentArchive("pusher-test",
                List.of(Pusher.class.getName(), BrokerParts.class.getName(), Orders.class.getName()),
                BeansXml.EMPTY_BEANS_XML);
        // Mutable: Weld adds an archive of its own for the extensions, which live outside this one.
        WeldDeployment deployment = new WeldDeployment(new WeldResourceLoader(), weld, new HashSet<>(Set.of(archive)),
                weld.loadExtensions(PusherInjectionTest.class.getClassLoader()));
        weld.startContainer("pusher-test", Environments.SE, deployment).startInitialization().deployBeans()
                .validateBeans().endInitialization();
        beans = weld.getManager(archive);
    }

    @AfterAll
    static void shutdownWeld() throws Exception {
        weld.shutdown();
        BrokerParts.JSONB.close();
    }

    @Test
    void anInjectedPusherReachesTheUsersSessions() {
        RecordingSubscriber alice = new RecordingSubscriber("s1", "alice", null);
        BrokerParts.BROKER.open(alice, null);
        Pusher pusher = reference(Pusher.class);

        assertThat(pusher.toUser("alice", List.of("one", 2)).sessions()).isEqualTo(1);

        assertThat(alice.payloads()).containsExactly("[\"one\",2]");
    }

    @Test
    void aMessageMappingHandlerPushesWithTheInjectedPusher() {
        RecordingSubscriber bob = new RecordingSubscriber("s2", "bob", null);
        BrokerParts.BROKER.open(bob, null);
        ApplicationHandlers handlers = new ApplicationHandlers(MappedMethodHandler.forMappings(
                beans.getExtension(MessageMappingExtension.class), beans, reference(Pusher.class), BrokerParts.JSONB));

        handlers.forDestination("orders").orElseThrow().handle(new InboundMessage("bob", "s2", "{\"item\":\"tea\"}"));

        assertThat(bob.deliveries()).singleElement().satisfies(delivery -> {
            assertThat(delivery.target()).isEqualTo(Delivery.Target.USER);
            assertThat(delivery.destination()).isEqualTo("orders");
            assertThat(delivery.dataJson()).isEqualTo("{\"received\":{\"item\":\"tea\"}}");
        });
    }

    private static <T> T reference(Class<T> type) {
        Bean<?> bean = beans.resolve(beans.getBeans(type));
        return type.cast(beans.getReference(bean, type, beans.createCreationalContext(bean)));
    }
}
