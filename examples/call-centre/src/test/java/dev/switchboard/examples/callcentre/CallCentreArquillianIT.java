package dev.switchboard.examples.callcentre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.PushReceipt;
import dev.switchboard.handlers.MessageMappingExtension;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.hamcrest.Matcher;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The call-centre WAR, as this build made it, inside a real container (WildFly or Payara Micro,
 * chosen by the Maven profile): the tests run in the server, with the application's beans
 * injected, and talk to it through a real WebSocket client on the server's own port.
 */
@ExtendWith(ArquillianExtension.class)
class CallCentreArquillianIT {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    MessageMappingExtension mappings;

    @Inject
    AgentDesk agentDesk;

    @Inject
    PresenceBoard presence;

    @Inject
    SessionLog sessions;

    @Inject
    Dispatcher dispatcher;

    @ArquillianResource
    URL deployment;

    /** The built WAR, plus this test, its helpers and the libraries they use in the server. */
    @Deployment(testable = true)
    static WebArchive callCentre() {
        WebArchive war = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("arquillian.war")));
        return war.addClasses(CallCentreArquillianIT.class, NativeClient.class, SessionLog.class)
                .addAsLibraries(jarOf(Assertions.class), jarOf(Awaitility.class), jarOf(Matcher.class));
    }

    private static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("no jar for " + type, e);
        }
    }

    @Test
    void theApplicationsHandlerBeanIsDiscovered() {
        assertThat(mappings.mappings())
                .anySatisfy(mapping -> {
                    assertThat(mapping.bean().getBeanClass()).isEqualTo(AgentDesk.class);
                    assertThat(mapping.destination()).isEqualTo("status");
                    assertThat(mapping.sendTo()).isEqualTo("/topic/agent-status");
                });
        assertThat(agentDesk.status("on a call")).isEqualTo("agent status: on a call");
    }

    @Test
    void aStatusSentToTheHandlerReachesItsTopicsSubscribers() throws Exception {
        try (NativeClient agent = NativeClient.connect(deployment, user("agent"))) {
            agent.send("{\"type\":\"subscribe\",\"topic\":\"agent-status\"}");
            await().atMost(PATIENCE).until(() -> !agent.frames("subscribed").isEmpty());

            agent.send("{\"type\":\"send\",\"to\":\"status\",\"data\":\"ready\"}");

            await().atMost(PATIENCE).untilAsserted(() -> assertThat(agent.frames("message"))
                    .anySatisfy(message -> {
                        assertThat(message.getString("topic")).isEqualTo("agent-status");
                        assertThat(message.getString("data")).isEqualTo("agent status: ready");
                    }));
        }
    }

    @Test
    void theApplicationsObserversHearOfTheClientsSession() throws Exception {
        String user = user("agent");
        try (NativeClient agent = NativeClient.connect(deployment, user)) {
            await().atMost(PATIENCE).until(() -> presence.online().contains(user));
            // Asynchronous observers: the two events may be heard in either order.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(sessions.opened()).anySatisfy(opened -> {
                assertThat(opened.user()).isEqualTo(user);
                assertThat(opened.channelId()).isEqualTo(user);
                assertThat(opened.protocol()).isEqualTo("native");
            }));
        }
        await().atMost(PATIENCE).until(() -> !presence.online().contains(user));
    }

    @Test
    void applicationCodePushesToTheConnectedClient() throws Exception {
        String user = user("agent");
        try (NativeClient agent = NativeClient.connect(deployment, user)) {
            await().atMost(PATIENCE).until(() -> !agent.frames("welcome").isEmpty());

            PushReceipt receipt = dispatcher.offerCall(user, "+44 20 7946 0000");

            assertThat(receipt.sessions()).isEqualTo(1);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(agent.frames("message"))
                    .singleElement()
                    .satisfies(message -> {
                        assertThat(message.getString("user")).isEqualTo(user);
                        JsonObject data = message.getJsonObject("data");
                        assertThat(data.getString("caller")).isEqualTo("+44 20 7946 0000");
                    }));
        }
    }

    /** A user id of its own for each test, so that no test sees another's sessions. */
    private static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
