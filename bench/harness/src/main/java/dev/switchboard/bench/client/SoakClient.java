package dev.switchboard.bench.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The soak run's sessions: {@code sessions} native channels on one selector thread (the same
 * hand-written WebSocket client as {@link LoadClient}: {@link InboundParser}, {@link ClientFrames},
 * {@link WsConnection}), each going through lives of connect, subscribe (its group's room and
 * current call, {@link CallPlan}; stallers and as many others also the heavy {@code feed}), receive, follow the call to the next topic, disconnect, and
 * reconnect with resume ({@code since: {offset, epoch}} of the last message seen).
 *
 * <p>Every message's offset is checked per session and topic, across reconnects: the next one
 * must be the last plus one, replay included, or the {@code subscribed} that ends a resume must
 * say {@code recovered: false} (counted apart). Stallers (a fixed share of the slots, with a small
 * receive buffer) read for a few seconds, then stop reading with the TCP connection open; after
 * {@code stallHold} they read again and must find that the server closed them (4008). They then
 * reconnect and resume like everyone else, so their losses are checked too, separately.
 *
 * <p>Thread safety: all state belongs to the selector thread; other threads use {@link #call}.
 */
public final class SoakClient implements AutoCloseable, InboundParser.Sink {

    /** How the sessions behave; times in nanoseconds. */
    public record Settings(int sessions, double stallFraction, long lifeMinNanos, long lifeMaxNanos,
                           long pauseMinNanos, long pauseMaxNanos, long rampNanos, long stallAfterNanos,
                           long stallHoldNanos, long stallGraceNanos, long leaveGraceNanos, int maxOpening, long seed) {
    }

    /** Counters since the start (see the report for what each means). */
    public record Counters(long lives, long handshakes, long connectFailures, Map<String, Integer> refusals,
                           long liveDeliveries, long replayed, long stallerDeliveries, long resumes,
                           long lost, long lostEvents, long stallerLost, long duplicates, long recoveredFalse,
                           long stallerRecoveredFalse, long epochChanges, long strays, long unexpectedCloses,
                           long errorFrames, long stalls, long stallClosed4008, Map<Integer, Integer> stallClosedOther,
                           long stallClosedAbruptly, long stallNotClosed, int connected, int ready, int stalledNow,
                           int stallerSlots, List<String> problems) {
    }

    /** Latency of live deliveries to non-stalling sessions in one interval, ms. */
    public record Interval(long count, double p50, double p99, double p999, double max) {
    }

    /** Where the sessions stand after the publisher stopped. */
    public record EndCheck(int checked, int behind, long missing) {
    }

    private static final byte[] TYPE_MESSAGE = Ascii.bytes("\"type\":\"message\"");
    private static final byte[] TYPE_SUBSCRIBED = Ascii.bytes("\"type\":\"subscribed\"");
    private static final byte[] TYPE_WELCOME = Ascii.bytes("\"type\":\"welcome\"");
    private static final byte[] TYPE_ERROR = Ascii.bytes("\"type\":\"error\"");
    private static final byte[] TOPIC = Ascii.bytes("\"topic\":\"");
    private static final byte[] EPOCH = Ascii.bytes("\"epoch\":\"");
    private static final byte[] OFFSET = Ascii.bytes("\"offset\":");
    private static final byte[] T = Ascii.bytes("\"t\":");
    private static final byte[] RECOVERED_TRUE = Ascii.bytes("\"recovered\":true");
    private static final byte[] CLOSE_NORMAL = {0x03, (byte) 0xE8}; // 1000
    private static final int MAX_PROBLEMS = 30;
    private static final long TICK_NANOS = 50_000_000L;
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final InetSocketAddress server;
    private final String hostHeader;
    private final List<InetAddress> sourceAddresses;
    private final CallPlan plan;
    private final Settings settings;
    private final Selector selector;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    // Everything below belongs to the selector thread.
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(64 * 1024);
    private final ClientFrames frames = new ClientFrames();
    private final InboundParser parser = new InboundParser(this, readBuffer.capacity() - 16);
    private final SplittableRandom random;
    private final SoakSession[] sessions;
    private final ArrayDeque<SoakSession> toOpen = new ArrayDeque<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Histogram interval = new Histogram(3_600_000_000L, 3);
    private int opening;
    private int nextSource;
    private long nextTickNanos;
    private long readNowMicros;
    /** Set at the end: no more lives end or begin, no calls change, stallers stay as they are. */
    private boolean frozen;
    /**
     * Each topic's epoch as first seen by any session (epochs are per topic: a topic forgotten by
     * the server starts over in a new one, which must never happen to a topic someone follows).
     */
    private final Map<String, String> epochs = new HashMap<>();

    private long lives;
    private long handshakes;
    private long connectFailures;
    private final Map<String, Integer> refusals = new TreeMap<>();
    private long liveDeliveries;
    private long replayed;
    private long stallerDeliveries;
    private long resumes;
    private long lost;
    private long lostEvents;
    private long stallerLost;
    private long duplicates;
    private long recoveredFalse;
    private long stallerRecoveredFalse;
    private long epochChanges;
    private long strays;
    private long unexpectedCloses;
    private long errorFrames;
    private long stalls;
    private long stallClosed4008;
    private final Map<Integer, Integer> stallClosedOther = new TreeMap<>();
    private long stallClosedAbruptly;
    private long stallNotClosed;

    /**
     * @param tokenOf a token for session {@code i}, whose channel is {@code soak-<i>}
     */
    public SoakClient(InetSocketAddress server, List<InetAddress> sourceAddresses, CallPlan plan, Settings settings,
                      Function<Integer, String> tokenOf) throws IOException {
        this.server = server;
        this.hostHeader = server.getHostString() + ":" + server.getPort();
        this.sourceAddresses = List.copyOf(sourceAddresses);
        this.plan = plan;
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.sessions = new SoakSession[settings.sessions()];
        // Stallers are a random (seeded) subset, so they fall into every group rather than one.
        int stallers = (int) Math.round(settings.stallFraction() * settings.sessions());
        boolean[] stalls = new boolean[settings.sessions()];
        boolean[] feed = new boolean[settings.sessions()];
        for (int chosen = 0; chosen < stallers; ) {
            int i = random.nextInt(settings.sessions());
            if (!stalls[i]) {
                stalls[i] = true;
                feed[i] = true;
                chosen++;
            }
        }
        // As many non-stalling sessions follow the feed too, so its losses and latency are checked
        // on sessions that keep reading.
        for (int chosen = 0; chosen < Math.min(stallers, settings.sessions() - stallers); ) {
            int i = random.nextInt(settings.sessions());
            if (!feed[i]) {
                feed[i] = true;
                chosen++;
            }
        }
        long now = System.nanoTime();
        for (int i = 0; i < sessions.length; i++) {
            String channel = "soak-" + i;
            sessions[i] = new SoakSession(i, plan.groupOf(i), stalls[i], feed[i], channel, tokenOf.apply(i));
            sessions[i].connectAtNanos = now + (long) (random.nextDouble() * settings.rampNanos());
        }
        this.selector = Selector.open();
        this.loop = new Thread(this::runLoop, "soak-client-selector");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    // ---------------------------------------------------------------- API for the harness thread

    /** Runs {@code task} on the selector thread and returns its result. */
    public <T> T call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("selector task failed: " + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** The latency of the interval since the last call, and a new interval. */
    public Interval takeInterval() {
        return call(() -> {
            Interval result = interval.getTotalCount() == 0 ? new Interval(0, 0, 0, 0, 0)
                    : new Interval(interval.getTotalCount(), ms(interval.getValueAtPercentile(50)),
                    ms(interval.getValueAtPercentile(99)), ms(interval.getValueAtPercentile(99.9)), ms(interval.getMaxValue()));
            interval.reset();
            return result;
        });
    }

    public Counters counters() {
        return call(() -> {
            int connected = 0;
            int ready = 0;
            int stalledNow = 0;
            int stallerSlots = 0;
            for (SoakSession session : sessions) {
                connected += session.welcomed ? 1 : 0;
                ready += session.ready ? 1 : 0;
                stalledNow += session.stalled && !session.resumed ? 1 : 0;
                stallerSlots += session.staller ? 1 : 0;
            }
            return new Counters(lives, handshakes, connectFailures, Map.copyOf(refusals), liveDeliveries, replayed,
                    stallerDeliveries, resumes, lost, lostEvents, stallerLost, duplicates, recoveredFalse,
                    stallerRecoveredFalse, epochChanges, strays, unexpectedCloses, errorFrames, stalls, stallClosed4008,
                    Map.copyOf(stallClosedOther), stallClosedAbruptly, stallNotClosed, connected, ready, stalledNow,
                    stallerSlots, List.copyOf(problems));
        });
    }

    /** Stops the churn: no life ends or begins any more, calls stay, stallers stay as they are. */
    public void freeze() {
        call(() -> frozen = true);
    }

    /**
     * Waits until every ready session that does not stall has reached, on every topic it still
     * follows, the last offset the publisher got ({@code lastOffsets}); false on timeout. Then
     * {@link #endCheck} says how far behind the others are.
     */
    public boolean awaitCaughtUp(Map<String, Long> lastOffsets, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> endCheck(lastOffsets).behind() == 0, timeout, unit);
    }

    public EndCheck endCheckNow(Map<String, Long> lastOffsets) {
        return call(() -> endCheck(lastOffsets));
    }

    private EndCheck endCheck(Map<String, Long> lastOffsets) {
        int checked = 0;
        int behind = 0;
        long missing = 0;
        for (SoakSession session : sessions) {
            if (!session.ready || session.staller) {
                continue;
            }
            checked++;
            long short_ = 0;
            for (SoakSession.TopicState state : session.topics.values()) {
                if (state.left || state.awaiting || state.position < 0) {
                    continue;
                }
                short_ += Math.max(0, lastOffsets.getOrDefault(state.topic, 0L) - state.position);
            }
            if (short_ > 0) {
                behind++;
                missing += short_;
            }
        }
        return new EndCheck(checked, behind, missing);
    }

    private boolean awaitCondition(BooleanSupplier condition, long timeout, TimeUnit unit) throws InterruptedException {
        Waiter waiter = new Waiter(condition, new CompletableFuture<>());
        call(() -> waiters.add(waiter));
        try {
            waiter.done.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            call(() -> waiters.remove(waiter));
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes every connection and stops the selector thread. */
    @Override
    public void close() {
        if (!loop.isAlive()) {
            return;
        }
        try {
            call(() -> {
                frozen = true;
                for (SoakSession session : sessions) {
                    if (session.connection != null) {
                        closeByUs(session);
                    }
                }
                return null;
            });
        } finally {
            running = false;
            selector.wakeup();
            try {
                loop.join(10_000);
                selector.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---------------------------------------------------------------- the selector thread

    private void runLoop() {
        while (running) {
            try {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long now = System.nanoTime();
                if (now >= nextTickNanos) {
                    tick(now);
                    nextTickNanos = now + TICK_NANOS;
                }
                openMore();
                selector.select(Math.max(1, (nextTickNanos - System.nanoTime()) / 1_000_000));
                var keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key);
                }
                for (int i = waiters.size() - 1; i >= 0; i--) {
                    if (waiters.get(i).condition.getAsBoolean()) {
                        waiters.remove(i).done.complete(null);
                    }
                }
            } catch (IOException | RuntimeException e) {
                problem("selector loop: " + e);
            }
        }
    }

    /** Every 50 ms: lives that end or begin, stalls that start or end, calls that change. */
    private void tick(long now) throws IOException {
        for (SoakSession session : sessions) {
            if (session.connection == null) {
                if (!frozen && !session.queued && now >= session.connectAtNanos) {
                    session.queued = true;
                    toOpen.add(session);
                }
                continue;
            }
            if (!session.ready) {
                continue;
            }
            if (session.staller) {
                staller(session, now);
                if (session.connection == null || session.stalled) {
                    continue; // a stalled session sends nothing either: it follows no call changes
                }
            } else if (!frozen && now >= session.lifeEndsAtNanos) {
                sendFrame(session.connection, ClientFrames.CLOSE, CLOSE_NORMAL, 0, 2);
                closeByUs(session);
                continue;
            }
            followCall(session, now);
        }
    }

    private void staller(SoakSession session, long now) throws IOException {
        if (!session.stalled) {
            if (!frozen && now >= session.stallAtNanos) {
                // Keep the TCP connection, read nothing: the server's bounds must deal with it.
                session.stalled = true;
                session.resumeAtNanos = now + settings.stallHoldNanos();
                session.connection.key.interestOps(0);
                stalls++;
            }
        } else if (!session.resumed) {
            if (!frozen && now >= session.resumeAtNanos) {
                // Read again: what the kernel held, then (normally) the server's close.
                session.resumed = true;
                session.giveUpAtNanos = now + settings.stallGraceNanos();
                session.connection.key.interestOps(SelectionKey.OP_READ);
            }
        } else if (now >= session.giveUpAtNanos) {
            stallNotClosed++;
            problem("staller " + session.channelId + " was not closed by the server within "
                    + (settings.stallHoldNanos() + settings.stallGraceNanos()) / 1_000_000_000 + " s of stalling");
            closeByUs(session);
        }
    }

    /** Joins the group's new call when it starts; leaves the old one a little later (messages in flight). */
    private void followCall(SoakSession session, long now) throws IOException {
        if (!frozen) {
            long index = plan.callIndex(session.group, now);
            if (index != session.callIndex) {
                for (SoakSession.TopicState state : session.topics.values()) {
                    if (state.call && state.leaveAtNanos == 0) {
                        state.leaveAtNanos = now + settings.leaveGraceNanos();
                    }
                }
                session.callIndex = index;
                SoakSession.TopicState state = new SoakSession.TopicState(CallPlan.call(session.group, index), true);
                session.topics.put(state.topic, state);
                subscribe(session, state);
            }
        }
        for (SoakSession.TopicState state : session.topics.values()) {
            if (state.leaveAtNanos != 0 && !state.left && now >= state.leaveAtNanos) {
                state.left = true;
                sendText(session.connection, "{\"type\":\"unsubscribe\",\"topic\":\"" + state.topic + "\"}");
            }
        }
    }

    private void openMore() {
        while (opening < settings.maxOpening() && !toOpen.isEmpty()) {
            SoakSession session = toOpen.poll();
            session.queued = false;
            Role role = session.staller ? Role.SLOW_SUBSCRIBER : Role.SUBSCRIBER;
            WsConnection connection = new WsConnection(session.index,
                    new ConnectionSpec(Protocol.NATIVE, role, session.token, session.channelId), null);
            session.connection = connection;
            opening++;
            lives++;
            try {
                SocketChannel channel = SocketChannel.open();
                connection.channel = channel;
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (session.staller) {
                    // Before connect, so the advertised window stays small (RFC 7323 window scaling)
                    // and a stall backs up into the server within the run, not into 32 MiB of kernel.
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, ConnectionSpec.SLOW_RECEIVE_BUFFER);
                }
                channel.bind(new InetSocketAddress(sourceAddresses.get(nextSource++ % sourceAddresses.size()), 0));
                connection.key = channel.register(selector, SelectionKey.OP_CONNECT, session);
                if (channel.connect(server)) {
                    connected(connection);
                }
            } catch (IOException e) {
                failOpening(session, "connect: " + e.getMessage());
            }
        }
    }

    private void handle(SelectionKey key) {
        SoakSession session = (SoakSession) key.attachment();
        WsConnection connection = session.connection;
        if (!key.isValid() || connection == null || connection.key != key) {
            return;
        }
        try {
            if (key.isConnectable()) {
                if (connection.channel.finishConnect()) {
                    connected(connection);
                }
                return;
            }
            if (key.isWritable()) {
                connection.flush();
                if (session.stalled && !session.resumed) {
                    connection.key.interestOps(0); // flush() asks for reads again; a stalled session must not
                }
            }
            if (key.isValid() && key.isReadable()) {
                read(session, connection);
            }
        } catch (IOException e) {
            lost(session, "I/O: " + e.getMessage(), -1);
        }
    }

    private void connected(WsConnection connection) throws IOException {
        connection.state = WsConnection.State.UPGRADING;
        connection.key.interestOps(SelectionKey.OP_READ);
        String request = "GET /ws/channel?token=" + connection.spec.token() + "&channelId=" + connection.spec.channelId()
                + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        connection.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    private void read(SoakSession session, WsConnection connection) throws IOException {
        byte[] bytes = readBuffer.array();
        while (session.connection == connection) {
            readBuffer.clear();
            readBuffer.put(connection.carry, 0, connection.carryLength);
            int n = connection.channel.read(readBuffer);
            if (n < 0) {
                lost(session, "server closed the TCP connection", -1);
                return;
            }
            if (n == 0) {
                return;
            }
            readNowMicros = System.nanoTime() / 1000;
            int end = readBuffer.position();
            int consumed = parser.parse(connection, bytes, end);
            if (session.connection != connection || !connection.isOpen()) {
                return;
            }
            connection.keepCarry(bytes, consumed, end);
            if (end < readBuffer.capacity()) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- InboundParser.Sink

    @Override
    public void upgraded(WsConnection connection) {
        connection.state = WsConnection.State.AWAIT_WELCOME;
    }

    @Override
    public void refused(WsConnection connection, String statusLine) {
        String status = statusLine.replaceFirst("^HTTP/1\\.1 ", "");
        refusals.merge(status, 1, Integer::sum);
        failOpening(sessions[connection.id], "upgrade refused: " + statusLine);
    }

    @Override
    public void frame(WsConnection connection, int opcode, byte[] bytes, int off, int len) throws IOException {
        frame(connection, opcode, true, bytes, off, len);
    }

    @Override
    public void frame(WsConnection connection, int opcode, boolean fin, byte[] bytes, int off, int len) throws IOException {
        SoakSession session = sessions[connection.id];
        switch (opcode) {
            case 0x1, 0x0 -> {
                if (opcode == 0x1 && fin) {
                    text(session, bytes, off, len); // the common case: one frame, parsed in place
                    return;
                }
                // Tomcat sends a message larger than its WebSocket buffer as fragments: collect them.
                if (opcode == 0x1) {
                    session.fragmentLength = 0;
                }
                if (session.fragments.length < session.fragmentLength + len) {
                    session.fragments = java.util.Arrays.copyOf(session.fragments,
                            Math.max(session.fragmentLength + len, 2 * session.fragments.length));
                }
                System.arraycopy(bytes, off, session.fragments, session.fragmentLength, len);
                session.fragmentLength += len;
                if (fin) {
                    int length = session.fragmentLength;
                    session.fragmentLength = 0;
                    text(session, session.fragments, 0, length);
                }
            }
            case 0x8 -> {
                int code = len >= 2 ? ((bytes[off] & 0xFF) << 8) | (bytes[off + 1] & 0xFF) : 1005;
                String reason = len > 2 ? new String(bytes, off + 2, len - 2, StandardCharsets.UTF_8) : "";
                lost(session, "close frame " + code + " " + reason, code);
            }
            case 0x9 -> sendFrame(connection, ClientFrames.PONG, bytes, off, len);
            default -> {
                // pong, continuation or binary: the server sends none of these to this client
            }
        }
    }

    @Override
    public void violation(WsConnection connection, String why) {
        errorFrames++;
        lost(sessions[connection.id], why, -1);
    }

    // ---------------------------------------------------------------- the native protocol

    private void text(SoakSession session, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        int head = Math.min(end, off + 24); // "type" is the first field of every server frame
        if (Ascii.indexOf(bytes, off, head, TYPE_MESSAGE) >= 0) {
            message(session, bytes, off, end);
        } else if (Ascii.indexOf(bytes, off, head, TYPE_SUBSCRIBED) >= 0) {
            subscribed(session, bytes, off, end);
        } else if (Ascii.indexOf(bytes, off, head, TYPE_WELCOME) >= 0) {
            welcome(session);
        } else if (Ascii.indexOf(bytes, off, head, TYPE_ERROR) >= 0) {
            errorFrames++;
            problem(session.channelId + " got " + new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8));
        }
    }

    private void welcome(SoakSession session) throws IOException {
        session.welcomed = true;
        opening--;
        handshakes++;
        long now = System.nanoTime();
        session.lifeEndsAtNanos = now + between(settings.lifeMinNanos(), settings.lifeMaxNanos());
        // Resume the room and the call still going on; calls that ended meanwhile are over for us.
        session.callIndex = plan.callIndex(session.group, now);
        String room = CallPlan.room(session.group);
        String call = CallPlan.call(session.group, session.callIndex);
        session.topics.values().removeIf(state -> state.call && !state.topic.equals(call));
        session.topics.computeIfAbsent(room, topic -> new SoakSession.TopicState(topic, false));
        session.topics.computeIfAbsent(call, topic -> new SoakSession.TopicState(topic, true));
        if (session.feed) {
            session.topics.computeIfAbsent(CallPlan.FEED, topic -> new SoakSession.TopicState(topic, false));
        }
        for (SoakSession.TopicState state : session.topics.values()) {
            subscribe(session, state);
        }
    }

    /**
     * Subscribes from where this session stands: with {@code since} its last offset if it saw the
     * topic before; a call it joins for the first time from offset 0 (a participant joining late
     * wants the whole call); a room it never saw from now on.
     */
    private void subscribe(SoakSession session, SoakSession.TopicState state) throws IOException {
        String epoch = epochs.get(state.topic); // a call nobody has seen yet is joined from now on
        if (state.position < 0 && state.call && epoch != null) {
            state.position = 0;
        }
        state.awaiting = true;
        state.resuming = state.position >= 0 && epoch != null;
        String since = state.resuming ? ",\"since\":{\"offset\":" + state.position + ",\"epoch\":\"" + epoch + "\"}" : "";
        sendText(session.connection, "{\"type\":\"subscribe\",\"topic\":\"" + state.topic + "\"" + since + "}");
    }

    private void subscribed(SoakSession session, byte[] bytes, int off, int end) {
        String topic = stringAfter(bytes, off, end, TOPIC);
        SoakSession.TopicState state = topic == null ? null : session.topics.get(topic);
        if (state == null || !state.awaiting) {
            strays++;
            problem(session.channelId + " got subscribed for " + topic + " it did not ask for");
            return;
        }
        checkEpoch(session, topic, stringAfter(bytes, off, end, EPOCH));
        long offset = Ascii.numberAfter(bytes, off, end, OFFSET);
        boolean recovered = Ascii.indexOf(bytes, off, end, RECOVERED_TRUE) >= 0;
        state.awaiting = false;
        if (!state.resuming) {
            state.position = offset;
        } else if (recovered) {
            resumes++;
            if (state.position < offset) {
                missed(session, topic, state.position, offset + 1, "replay ended early (subscribed says " + offset + ")");
                state.position = offset;
            }
        } else {
            if (session.staller) {
                stallerRecoveredFalse++;
            } else {
                recoveredFalse++;
            }
            problem(session.channelId + " resumed " + topic + " after " + state.position + ": recovered false (now " + offset + ")");
            state.position = offset;
        }
        state.resuming = false;
        if (!session.ready && session.topics.values().stream().noneMatch(s -> s.awaiting)) {
            session.ready = true;
            if (session.staller) {
                session.stallAtNanos = System.nanoTime() + settings.stallAfterNanos();
            }
        }
    }

    private void message(SoakSession session, byte[] bytes, int off, int end) {
        // The server writes properties in lexicographic order: data (with t first), epoch, id,
        // offset, topic, ts. Scan for the ones after data from the end, past the padding.
        String topic = stringAfterLast(bytes, off, end, TOPIC);
        SoakSession.TopicState state = topic == null ? null : session.topics.get(topic);
        if (state == null || state.position < 0) {
            if (strays++ < 3) {
                problem(session.channelId + " got a message of " + topic + " before subscribing to it: "
                        + new String(bytes, off, Math.min(end - off, 200), StandardCharsets.UTF_8));
            }
            return;
        }
        checkEpoch(session, topic, stringAfterLast(bytes, off, end, EPOCH));
        long offset = Ascii.numberAfterLast(bytes, off, end, OFFSET);
        if (offset > state.position + 1) {
            missed(session, topic, state.position, offset, state.awaiting ? "in the replay" : "live");
        } else if (offset <= state.position) {
            duplicates++;
            if (duplicates <= 3) {
                problem(session.channelId + " got " + topic + " offset " + offset + " again (at " + state.position + ")");
            }
            return;
        }
        state.position = offset;
        if (session.staller) {
            stallerDeliveries++;
        } else if (state.awaiting) {
            replayed++; // missed while disconnected: its age is the disconnect, not the server's latency
        } else {
            liveDeliveries++;
            long sentMicros = Ascii.numberAfter(bytes, off, end, T);
            if (sentMicros >= 0) {
                interval.recordValue(Math.min(interval.getHighestTrackableValue(), Math.max(0, readNowMicros - sentMicros)));
            }
        }
    }

    /** Offsets {@code after + 1} up to {@code next - 1} never arrived. */
    private void missed(SoakSession session, String topic, long after, long next, String where) {
        long count = next - after - 1;
        if (session.staller) {
            stallerLost += count;
        } else {
            lost += count;
        }
        lostEvents++;
        problem(session.channelId + " lost " + count + " message(s) of " + topic + " after offset " + after + " (" + where + ")");
    }

    private void checkEpoch(SoakSession session, String topic, String seen) {
        if (seen == null) {
            return;
        }
        String epoch = epochs.putIfAbsent(topic, seen);
        if (epoch != null && !epoch.equals(seen)) {
            epochChanges++;
            problem(session.channelId + " saw epoch " + seen + " of " + topic + " instead of " + epoch);
            epochs.put(topic, seen);
        }
    }

    // ---------------------------------------------------------------- closing

    private void failOpening(SoakSession session, String why) {
        connectFailures++;
        if (connectFailures <= 5) {
            problem(session.channelId + " failed to connect: " + why);
        }
        if (session.connection != null) {
            session.connection.closeSocket();
        }
        opening--;
        session.disconnected();
        session.connectAtNanos = System.nanoTime() + RETRY_NANOS;
    }

    /** The server closed the connection ({@code code}; -1: no close frame) or it broke. */
    private void lost(SoakSession session, String why, int code) {
        WsConnection connection = session.connection;
        if (connection == null || !connection.isOpen() || connection.closingByUs) {
            return;
        }
        if (!session.welcomed) {
            failOpening(session, why);
            return;
        }
        if (session.staller && session.stalled) {
            if (code == 4008) {
                stallClosed4008++;
            } else if (code < 0) {
                stallClosedAbruptly++;
            } else {
                stallClosedOther.merge(code, 1, Integer::sum);
            }
        } else {
            unexpectedCloses++;
            problem(session.channelId + (session.staller ? " (staller, before its stall)" : "") + " lost: " + why);
        }
        connection.closeSocket();
        session.disconnected();
        session.connectAtNanos = System.nanoTime() + between(settings.pauseMinNanos(), settings.pauseMaxNanos());
    }

    private void closeByUs(SoakSession session) {
        WsConnection connection = session.connection;
        connection.closingByUs = true;
        if (!session.welcomed) {
            opening--;
        }
        connection.closeSocket();
        session.disconnected();
        session.connectAtNanos = System.nanoTime() + between(settings.pauseMinNanos(), settings.pauseMaxNanos());
    }

    private void sendText(WsConnection connection, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        sendFrame(connection, ClientFrames.TEXT, payload, 0, payload.length);
    }

    private void sendFrame(WsConnection connection, int opcode, byte[] payload, int off, int len) throws IOException {
        ByteBuffer out = ClientFrames.maxFrameLength(len) <= writeBuffer.capacity()
                ? writeBuffer.clear() : ByteBuffer.allocate(ClientFrames.maxFrameLength(len));
        frames.write(out, opcode, payload, off, len);
        out.flip();
        connection.write(out);
    }

    private long between(long min, long max) {
        return max <= min ? min : min + (long) (random.nextDouble() * (max - min));
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The JSON string value after {@code key} (which ends with the opening quote), or null. */
    static String stringAfter(byte[] bytes, int off, int end, byte[] key) {
        return stringAt(bytes, Ascii.indexOf(bytes, off, end, key), end, key);
    }

    /** The same for the last {@code key} in the range. */
    static String stringAfterLast(byte[] bytes, int off, int end, byte[] key) {
        return stringAt(bytes, Ascii.lastIndexOf(bytes, off, end, key), end, key);
    }

    private static String stringAt(byte[] bytes, int at, int end, byte[] key) {
        if (at < 0) {
            return null;
        }
        int from = at + key.length;
        int to = from;
        while (to < end && bytes[to] != '"') {
            to++;
        }
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    private record Waiter(BooleanSupplier condition, CompletableFuture<Void> done) {
    }
}
