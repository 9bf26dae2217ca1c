package dev.switchboard.examples.callcentre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.PushReceipt;
import dev.switchboard.handlers.MessageMappingExtension;
import dev.switchboard.push.Pusher;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * chosen by the Maven profile). The tests run in the server with the application's beans injected,
 * and talk to it as an agent's page does: a real WebSocket client on the server's own port, with a
 * token from the application's {@link DemoTokens}.
 */
@ExtendWith(ArquillianExtension.class)
class CallCentreArquillianIT {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    MessageMappingExtension mappings;

    @Inject
    CallCentre centre;

    @Inject
    DemoTokens tokens;

    @Inject
    Pusher pusher;

    @Inject
    SessionLog sessions;

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
    void theCallHandlersAreDiscovered() {
        assertThat(mappings.mappings())
                .filteredOn(mapping -> mapping.bean().getBeanClass() == CallHandlers.class)
                .extracting(MessageMappingExtension.Mapping::destination)
                .containsExactlyInAnyOrder("accept", "reject", "hangup");
    }

    @Test
    void anAgentWhoConnectsIsOnTheBoardUntilTheyLeave() throws Exception {
        String agent = newAgent();
        try (NativeClient page = connect(agent)) {
            // AgentPresence heard UserOnline; the test's SessionLog heard SessionOpened.
            await().atMost(PATIENCE).until(() -> statusOf(agent), Optional.of(AgentStatus.AVAILABLE)::equals);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(sessions.opened()).anySatisfy(opened -> {
                assertThat(opened.user()).isEqualTo(agent);
                assertThat(opened.channelId()).isEqualTo(agent);
                assertThat(opened.protocol()).isEqualTo("native");
            }));
        }
        await().atMost(PATIENCE).until(() -> statusOf(agent), Optional.of(AgentStatus.OFFLINE)::equals);
    }

    @Test
    void aCallIsOfferedToTheAgentsPageAndAcceptedThroughTheHandler() throws Exception {
        String agent = newAgent();
        try (NativeClient page = connect(agent)) {
            await().atMost(PATIENCE).until(() -> statusOf(agent), Optional.of(AgentStatus.AVAILABLE)::equals);

            Board.Call call = centre.incoming("+44 20 7946 0000", Optional.of(agent));

            // CallCentre pushed the offer with its injected Pusher.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.frames("message")).anySatisfy(message -> {
                assertThat(message.getString("user")).isEqualTo(agent);
                assertThat(message.getBoolean("ack", false)).isTrue();
                JsonObject offer = message.getJsonObject("data");
                assertThat(offer.getString("type")).isEqualTo("offer");
                assertThat(offer.getJsonObject("call").getString("id")).isEqualTo(call.id());
                assertThat(offer.getJsonObject("call").getString("caller")).isEqualTo("+44 20 7946 0000");
            }));

            page.send("{\"type\":\"send\",\"to\":\"accept\",\"data\":\"" + call.id() + "\"}");

            await().atMost(PATIENCE).until(() -> statusOf(agent), Optional.of(AgentStatus.ON_CALL)::equals);
            assertThat(page.frames("error")).isEmpty();
        }
    }

    @Test
    void theInjectedPusherReachesTheConnectedClient() throws Exception {
        String agent = newAgent();
        try (NativeClient page = connect(agent)) {
            await().atMost(PATIENCE).until(() -> !page.frames("welcome").isEmpty());

            PushReceipt receipt = pusher.toUser(agent, List.of("from", "application", "code"));

            assertThat(receipt.sessions()).isEqualTo(1);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.frames("message")).anySatisfy(message -> {
                assertThat(message.getString("id")).isEqualTo(receipt.id());
                assertThat(message.getString("user")).isEqualTo(agent);
                assertThat(message.getJsonArray("data").getValuesAs(JsonString::getString))
                        .containsExactly("from", "application", "code");
            }));
        }
    }

    private NativeClient connect(String agent) throws Exception {
        return NativeClient.connect(deployment, agent, tokens.mint(agent, List.of(agent)));
    }

    private Optional<AgentStatus> statusOf(String agent) {
        return centre.board().agents().stream()
                .filter(entry -> entry.name().equals(agent))
                .map(Board.Agent::status)
                .findFirst();
    }

    /** An agent of its own for each test, so that no test sees another's calls or sessions. */
    private static String newAgent() {
        return "agent-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
