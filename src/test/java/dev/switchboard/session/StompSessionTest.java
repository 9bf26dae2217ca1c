package dev.switchboard.session;

import static dev.switchboard.session.SessionHarness.USER;
import static dev.switchboard.session.SessionHarness.connectFrame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.SessionRecord;
import dev.switchboard.broker.CloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StompSession}'s phase under races, with the real broker, registries, outbound queue and
 * scheduler (see {@link SessionHarness}). The promises: at most one ERROR frame per connection,
 * nothing after it; a session closed or replaced while its CONNECT is handled never connects and
 * does not stay registered; a session that ended leaves no timer behind.
 */
class StompSessionTest {

    /** Each round is a fresh race; a few thousand make the narrow interleavings show up on 2 cores. */
    private static final int ROUNDS = 5_000;

    private final SessionHarness harness = new SessionHarness();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void shutDown() throws Exception {
        threads.shutdownNow();
        harness.close();
    }

    @Test
    void connectAnswersConnectedAndRegistersTheSessionOnItsChannel() {
        RecordingSink sink = new RecordingSink();
        StompSession session = harness.stomp.newSession(sink, null, null);

        session.onMessage(connectFrame("ch-1"));

        assertThat(sink.stompCommands()).containsExactly("CONNECTED");
        assertThat(harness.broker.sessionsOf(USER)).extracting(SessionRecord::sessionId).containsExactly(session.sessionId());
        assertThat(harness.channels.holder("ch-1").map(ChannelHolder::sessionId)).contains(session.sessionId());
        session.ended();
        assertThat(harness.broker.sessionCount()).isZero();
        assertThat(harness.liveTimers()).as("timers left after the session ended").isZero();
    }

    @Test
    void aReplaceLandingBetweenTheBindAndConnectedClosesTheOlderSessionWhichNeverConnects() {
        RecordingSink olderSink = new RecordingSink();
        StompSession older = harness.stomp.newSession(olderSink, null, null);
        RecordingSink newerSink = new RecordingSink();
        StompSession newer = harness.stomp.newSession(newerSink, null, null);
        // The newer CONNECT runs on the older one's thread, right after the broker bound the older session.
        harness.channels.afterNextBind(() -> newer.onMessage(connectFrame("ch-1")));

        older.onMessage(connectFrame("ch-1"));

        assertThat(olderSink.stompCommands()).containsExactly("ERROR");
        assertThat(olderSink.frames().get(0)).contains("message:" + CloseCode.REPLACED.reason());
        assertThat(olderSink.closes()).containsExactly(CloseCode.REPLACED);
        assertThat(newerSink.stompCommands()).containsExactly("CONNECTED");
        // Not registered although ended() has not come yet: CONNECT took its own registration back.
        assertThat(harness.broker.sessionsOf(USER)).extracting(SessionRecord::sessionId).containsExactly(newer.sessionId());
        assertThat(harness.channels.holder("ch-1").map(ChannelHolder::sessionId)).contains(newer.sessionId());

        older.ended();
        newer.ended();
        assertThat(harness.liveTimers()).as("timers left after both sessions ended").isZero();
    }

    @Test
    void aSessionThatEndedWhileConnectWasHandledStartsNoTimerAndStaysUnregistered() {
        RecordingSink olderSink = new RecordingSink();
        StompSession older = harness.stomp.newSession(olderSink, null, null);
        olderSink.endingWith(older::ended); // the container reports the close at once, as Tomcat does
        StompSession newer = harness.stomp.newSession(new RecordingSink(), null, null);
        harness.channels.afterNextBind(() -> newer.onMessage(connectFrame("ch-1")));

        older.onMessage(connectFrame("ch-1"));

        assertThat(olderSink.stompCommands()).containsExactly("ERROR");
        assertThat(harness.broker.sessionsOf(USER)).extracting(SessionRecord::sessionId).containsExactly(newer.sessionId());
        newer.ended();
        assertThat(harness.liveTimers()).as("timers left after both sessions ended").isZero();
        assertThat(harness.broker.sessionCount()).isZero();
    }

    @Test
    void aSubscribeRacingTheEndOfTheConnectionLeavesNoSubscriptionBehind() {
        RecordingSink sink = new RecordingSink();
        StompSession session = harness.stomp.newSession(sink, null, null);
        session.onMessage(connectFrame("ch-1"));
        // The connection ends on another thread while the SUBSCRIBE is half-way.
        harness.beforeNextSubscribe(session::ended);

        session.onMessage(SessionHarness.frame("SUBSCRIBE\nid:0\ndestination:/topic/news\n\n\0"));

        assertThat(harness.broker.presence("news")).as("users subscribed to news").isEmpty();
        assertThat(harness.broker.subscriptionCount()).isZero();
    }

    @Test
    void aReplaceRacingConnectLeavesOneConnectedHolderAndOneClosedSessionWithOneError() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channel = "race-" + round;
            Contender first = new Contender();
            Contender second = new Contender();

            race(() -> first.session.onMessage(connectFrame(channel)),
                    () -> second.session.onMessage(connectFrame(channel)));

            List<Contender> open = List.of(first, second).stream().filter(c -> c.sink.closes().isEmpty()).toList();
            assertThat(open).as("round %d: sessions left open", round).hasSize(1);
            Contender winner = open.get(0);
            Contender loser = winner == first ? second : first;
            assertThat(winner.sink.stompCommands()).as("round %d: winner", round).containsExactly("CONNECTED");
            // Replaced before it connected ([ERROR]) or after ([CONNECTED, ERROR]); never CONNECTED after ERROR.
            assertThat(loser.sink.stompCommands()).as("round %d: loser", round)
                    .isIn(List.of("ERROR"), List.of("CONNECTED", "ERROR"));
            assertThat(loser.sink.closes()).as("round %d: loser's close", round).containsExactly(CloseCode.REPLACED);
            assertThat(harness.channels.holder(channel).map(ChannelHolder::sessionId)).as("round %d: holder", round).contains(winner.session.sessionId());
            assertThat(harness.broker.sessionsOf(USER)).as("round %d: registered", round)
                    .extracting(SessionRecord::sessionId).containsExactly(winner.session.sessionId());

            winner.session.ended();
            assertThat(harness.broker.sessionCount()).as("round %d: registered after the end", round).isZero();
            assertThat(harness.broker.openChannels()).isEmpty();
            assertThat(harness.liveTimers()).as("round %d: timers left after the end", round).isZero();
        }
    }

    @Test
    void closesFromTimerThreadsRacingConnectQueueExactlyOneErrorAndLeaveNothingRegistered() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channel = "timers-" + round;
            Contender contender = new Contender();
            StompSession session = contender.session;

            // CONNECT on the inbound thread; the token-expiry timer and the liveness timer fire at the same time.
            race(() -> session.onMessage(connectFrame(channel)),
                    () -> session.disconnect(CloseCode.POLICY_VIOLATION),
                    () -> session.disconnect(CloseCode.PEER_SILENT));

            assertThat(contender.sink.stompCommands()).as("round %d", round)
                    .isIn(List.of("ERROR"), List.of("CONNECTED", "ERROR"));
            assertThat(contender.sink.closes()).as("round %d", round).hasSize(1)
                    .allMatch(code -> code == CloseCode.POLICY_VIOLATION || code == CloseCode.PEER_SILENT);
            assertThat(harness.broker.sessionCount()).as("round %d: registered", round).isZero();
            assertThat(harness.channels.holder(channel)).as("round %d: holder", round).isEmpty();
            assertThat(harness.liveTimers()).as("round %d: timers left", round).isZero();
        }
    }

    @Test
    void errorsFromTheInboundThreadAndTimersRacingOnAnOpenSessionQueueExactlyOneError() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Contender contender = new Contender();
            StompSession session = contender.session;
            session.onMessage(connectFrame("errors-" + round));

            race(() -> session.onMessage(SessionHarness.frame("BOGUS\n\n\0")),
                    () -> session.disconnect(CloseCode.POLICY_VIOLATION),
                    () -> session.disconnect(CloseCode.PEER_SILENT));

            assertThat(contender.sink.stompCommands()).as("round %d", round).containsExactly("CONNECTED", "ERROR");
            assertThat(contender.sink.closes()).as("round %d", round).hasSize(1);
            assertThat(harness.broker.sessionCount()).as("round %d: registered", round).isZero();
            assertThat(harness.liveTimers()).as("round %d: timers left", round).isZero();
        }
    }

    /** One STOMP session whose sink reports the close back to it on the closing thread (as Tomcat does). */
    private final class Contender {
        final RecordingSink sink = new RecordingSink();
        final StompSession session = harness.stomp.newSession(sink, null, null);

        Contender() {
            sink.endingWith(session::ended);
        }
    }

    /** Runs the actions at once, each on its own thread, from one start line; rethrows their failures. */
    private void race(Runnable... actions) throws Exception {
        CyclicBarrier startLine = new CyclicBarrier(actions.length);
        List<Future<?>> running = new ArrayList<>();
        for (Runnable action : actions) {
            Callable<Void> task = () -> {
                startLine.await(10, TimeUnit.SECONDS);
                action.run();
                return null;
            };
            running.add(threads.submit(task));
        }
        for (Future<?> future : running) {
            future.get(10, TimeUnit.SECONDS);
        }
    }
}
