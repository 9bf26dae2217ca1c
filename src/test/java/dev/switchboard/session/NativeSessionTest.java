package dev.switchboard.session;

import static dev.switchboard.session.SessionHarness.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.SessionRecord;
import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.CloseCode;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeSession#start} against a REPLACE of its channel on another thread, with the real
 * broker, registries, outbound queue and scheduler (see {@link SessionHarness}). The promises: the
 * replaced session closes with 4009 once, never opens afterwards, does not stay registered, and
 * leaves no timer behind once it ended.
 */
class NativeSessionTest {

    private static final int ROUNDS = 5_000;

    private final SessionHarness harness = new SessionHarness();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void shutDown() throws Exception {
        threads.shutdownNow();
        harness.close();
    }

    @Test
    void startGreetsTheClientAndRegistersTheSessionOnItsChannel() {
        RecordingSink sink = new RecordingSink();
        NativeSession session = harness.nativeProtocol.newSession(harness.identity("ch-1"), sink);

        assertThat(session.start(claim("ch-1"))).isTrue();

        assertThat(sink.frames()).singleElement().asString().contains("\"type\":\"welcome\"");
        assertThat(harness.channels.holder("ch-1").map(ChannelHolder::sessionId)).contains(session.sessionId());
        session.ended();
        assertThat(harness.broker.sessionCount()).isZero();
        assertThat(harness.liveTimers()).as("timers left after the session ended").isZero();
    }

    @Test
    void aPushForTheUserLandingWhileTheSessionIsBeingRegisteredComesAfterTheWelcome() {
        // The broker knows the session (and routes its user's pushes to it) before start() greets it;
        // seen through nginx in a cluster: a redelivered call arrived before the welcome.
        RecordingSink sink = new RecordingSink();
        NativeSession session = harness.nativeProtocol.newSession(harness.identity("ch-1"), sink);
        harness.channels.afterNextBind(() -> harness.broker.pushToUser(USER, null, "\"call 1\"", false));

        assertThat(session.start(claim("ch-1"))).isTrue();

        assertThat(sink.frames()).hasSize(2);
        assertThat(sink.frames().get(0)).asString().contains("\"type\":\"welcome\"");
        assertThat(sink.frames().get(1)).asString().contains("\"type\":\"message\"").contains("call 1");
        harness.broker.pushToUser(USER, null, "\"call 2\"", false);
        assertThat(sink.frames()).hasSize(3);
        assertThat(sink.frames().get(2)).asString().contains("call 2");
        session.ended();
    }

    @Test
    void aReplaceLandingRightAfterTheBindClosesTheOlderSessionWith4009AndItNeverOpens() {
        RecordingSink olderSink = new RecordingSink();
        NativeSession older = harness.nativeProtocol.newSession(harness.identity("ch-1"), olderSink);
        olderSink.endingWith(older::ended); // the container reports the close at once, as Tomcat does
        NativeSession newer = harness.nativeProtocol.newSession(harness.identity("ch-1"), new RecordingSink());
        ChannelReservation olderReservation = claim("ch-1");
        harness.channels.afterNextBind(() -> newer.start(claim("ch-1")));

        assertThat(older.start(olderReservation)).isFalse();

        assertThat(olderSink.frames()).as("frames to the replaced session").isEmpty();
        assertThat(olderSink.closes()).containsExactly(CloseCode.REPLACED);
        assertThat(harness.broker.sessionsOf(USER)).extracting(SessionRecord::sessionId).containsExactly(newer.sessionId());
        assertThat(harness.channels.holder("ch-1").map(ChannelHolder::sessionId)).contains(newer.sessionId());
        newer.ended();
        assertThat(harness.liveTimers()).as("timers left after both sessions ended").isZero();
        assertThat(harness.broker.sessionCount()).isZero();
    }

    @Test
    void aSubscribeRacingTheEndOfTheConnectionLeavesNoSubscriptionBehind() {
        NativeSession session = harness.nativeProtocol.newSession(harness.identity("ch-1"), new RecordingSink());
        session.start(claim("ch-1"));
        // The connection ends on another thread while the subscribe is half-way.
        harness.beforeNextSubscribe(session::ended);

        session.onFrame(harness.nativeProtocol.codec().decodeClientFrame("{\"type\":\"subscribe\",\"topic\":\"news\"}"));

        assertThat(harness.broker.presence("news")).as("users subscribed to news").isEmpty();
        assertThat(harness.broker.subscriptionCount()).isZero();
    }

    @Test
    void aReplaceRacingStartLeavesTheNewerSessionTheOnlyOneOpenAndRegistered() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String channel = "race-" + round;
            RecordingSink olderSink = new RecordingSink();
            NativeSession older = harness.nativeProtocol.newSession(harness.identity(channel), olderSink);
            olderSink.endingWith(older::ended);
            RecordingSink newerSink = new RecordingSink();
            NativeSession newer = harness.nativeProtocol.newSession(harness.identity(channel), newerSink);
            newerSink.endingWith(newer::ended);
            ChannelReservation olderReservation = claim(channel);
            CyclicBarrier startLine = new CyclicBarrier(2);

            Future<Boolean> olderStarted = threads.submit(() -> {
                startLine.await(10, TimeUnit.SECONDS);
                return older.start(olderReservation);
            });
            Future<Boolean> newerStarted = threads.submit(() -> {
                startLine.await(10, TimeUnit.SECONDS);
                return newer.start(claim(channel)); // the newer handshake's claim replaces the older session
            });

            assertThat(newerStarted.get(10, TimeUnit.SECONDS)).as("round %d: newer started", round).isTrue();
            olderStarted.get(10, TimeUnit.SECONDS);
            assertThat(newerSink.closes()).as("round %d: newer closed", round).isEmpty();
            assertThat(olderSink.closes()).as("round %d: older closed", round).containsExactly(CloseCode.REPLACED);
            // Greeted and then replaced, or replaced before it opened: never anything after the close.
            assertThat(olderSink.frames()).as("round %d: frames to the older session", round).hasSizeLessThanOrEqualTo(1);
            assertThat(harness.channels.holder(channel).map(ChannelHolder::sessionId)).as("round %d: holder", round).contains(newer.sessionId());
            assertThat(harness.broker.sessionsOf(USER)).as("round %d: registered", round).extracting(SessionRecord::sessionId).containsExactly(newer.sessionId());

            newer.ended();
            assertThat(harness.broker.sessionCount()).as("round %d: registered after the end", round).isZero();
            assertThat(harness.liveTimers()).as("round %d: timers left after the end", round).isZero();
        }
    }

    private ChannelReservation claim(String channelId) {
        ChannelClaim claim = harness.broker.claimChannel(channelId, USER, ChannelPolicy.REPLACE);
        assertThat(claim).isInstanceOf(ChannelClaim.Granted.class);
        return ((ChannelClaim.Granted) claim).reservation();
    }
}
