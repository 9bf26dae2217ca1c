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
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator: many client WebSockets driven by ONE selector thread, with the upgrade
 * written by hand, frames parsed in place in one shared read buffer ({@link InboundParser}, no
 * allocation per message), masking on send ({@link ClientFrames}), client sockets spread over
 * several loopback source addresses (each address has its own 28,232 ephemeral ports), and a
 * ledger of deliveries with HdrHistogram latency and per-connection sequence checks
 * ({@link Deliveries}).
 *
 * <p>Why not a WebSocket library: the Tyrus client, the JDK client and Node's ws swing between
 * 70k and 240k messages/s on one core (issue 6), too unsteady to measure a server with.
 *
 * <p>Thread safety: all state belongs to the selector thread. Other threads talk to it only
 * through {@link #call} (a task queue plus {@code wakeup()}), {@link #awaitCondition} and the
 * latches of {@link ConnectionBatch}.
 */
public final class LoadClient implements FanoutClient, InboundParser.Sink {

    private static final byte[] SEQ_KEY = Ascii.bytes("\"seq\":");
    private static final byte[] T_KEY = Ascii.bytes("\"t\":");
    private static final byte[] USEQ_KEY = Ascii.bytes("\"useq\":");
    private static final byte[] WELCOME = Ascii.bytes("\"welcome\"");
    private static final byte[] SUBSCRIBED = Ascii.bytes("\"subscribed\"");
    private static final byte[] TYPE_ERROR = Ascii.bytes("\"type\":\"error\"");
    private static final byte[] MESSAGE = Ascii.bytes("MESSAGE");
    private static final byte[] CONNECTED = Ascii.bytes("CONNECTED");
    private static final byte[] RECEIPT = Ascii.bytes("RECEIPT");
    private static final byte[] ERROR = Ascii.bytes("ERROR");
    private static final byte[] SIO_MESSAGE = Ascii.bytes("\"message\"");
    private static final byte[] SIO_SUBSCRIBED = Ascii.bytes("\"subscribed\"");
    private static final byte[] CLOSE_NORMAL = {0x03, (byte) 0xE8}; // 1000
    private static final int MAX_PUBLISHER_BACKLOG = 16 << 20;
    private static final int MAX_PROBLEMS = 20;

    /** The servers connections go to, by {@link ConnectionSpec#node()}; several for a cluster. */
    private final List<InetSocketAddress> servers;
    private final List<String> hostHeaders;
    private final String topic;
    private final List<InetAddress> sourceAddresses;
    private final Selector selector;
    private final Thread loop;
    private final SelectorTasks work;
    private volatile boolean running = true;

    // Everything below belongs to the selector thread.
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(64 * 1024);
    private final byte[] scratch = new byte[4096];
    private final ClientFrames frames = new ClientFrames();
    private final InboundParser parser = new InboundParser(this, readBuffer.capacity() - 16);
    private final List<String> problems = new ArrayList<>();
    private final Deliveries deliveries;
    private final List<WsConnection> connections = new ArrayList<>();
    private final ArrayDeque<WsConnection> toOpen = new ArrayDeque<>();
    private int maxOpening = 128;
    private int opening;
    private int nextSource;
    private long readNowMicros;

    private int subscribersReady;
    private int stalled;
    private int unexpectedCloses;
    /** While set (an overload phase), a server closing subscribers is a result, not a failure. */
    private boolean closesExpected;
    private int expectedCloses;
    private int errorFrames;

    /** Close codes on which a subscriber reconnects and subscribes again at once (see {@link #reconnectOn}). */
    private java.util.Set<Integer> reconnectCodes = java.util.Set.of();
    private int reconnects;
    private int reconnectRefusals;
    private int reconnectDrops;
    private long lastRefusalNanos;
    /** Refused reconnects waiting for their retry, in due order (one fixed delay). */
    private final ArrayDeque<Retry> retries = new ArrayDeque<>();
    private static final long RECONNECT_RETRY_NANOS = 100_000_000L;
    private long lastReconnectCloseNanos;
    private long lastReconnectReadyNanos;

    private InBandPublisher publisher;
    /**
     * This window's lateness of open-loop publications (µs from the intended time to the write): a
     * selector thread busy reading sends late, so this shows the load generator's own lag.
     */
    private final Histogram sendLag = new Histogram(3);
    private long lastSeqSent = -1;
    private Churn churn;

    /**
     * @param server          the peer's address
     * @param topic           the topic every subscriber subscribes to and the publisher publishes to
     * @param sourceAddresses local addresses to bind client sockets to, round robin
     */
    public LoadClient(InetSocketAddress server, String topic, List<InetAddress> sourceAddresses) throws IOException {
        this(List.of(server), topic, sourceAddresses);
    }

    /**
     * A client of several servers (the nodes of a cluster): each connection goes to
     * {@code servers.get(spec.node())}; deliveries, latency and {@link #awaitReachedByNode} are
     * also kept per server.
     */
    public LoadClient(List<InetSocketAddress> servers, String topic, List<InetAddress> sourceAddresses) throws IOException {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no server");
        }
        this.servers = List.copyOf(servers);
        this.hostHeaders = servers.stream().map(s -> s.getHostString() + ":" + s.getPort()).toList();
        this.deliveries = new Deliveries(this::problem, servers.size());
        this.topic = topic;
        this.sourceAddresses = List.copyOf(sourceAddresses);
        this.selector = Selector.open();
        this.work = new SelectorTasks(selector);
        this.loop = new Thread(this::runLoop, "load-client-selector");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    // ---------------------------------------------------------------- API for the harness thread

    /** Opens these connections, at most {@code maxInFlight} handshaking at a time. */
    public ConnectionBatch open(List<ConnectionSpec> specs, int maxInFlight) {
        ConnectionBatch batch = new ConnectionBatch(specs.size());
        call(() -> {
            maxOpening = maxInFlight;
            specs.forEach(spec -> enqueue(spec, batch));
            return null;
        });
        return batch;
    }

    /** Closes the connections of {@code batch} (close frame 1000, then the socket). */
    public void closeBatch(ConnectionBatch batch) {
        call(() -> {
            for (WsConnection connection : connections) {
                if (connection.batch == batch && connection.isOpen()) {
                    if (connection.state == WsConnection.State.READY) {
                        sendFrame(connection, ClientFrames.CLOSE, CLOSE_NORMAL, 0, 2);
                    }
                    closeByUs(connection);
                }
            }
            return null;
        });
    }

    /** Runs {@code task} on the selector thread and returns its result. */
    public <T> T call(Callable<T> task) {
        return work.call(task);
    }

    /**
     * Waits until {@code condition}, evaluated on the selector thread after each round of I/O,
     * holds; false on timeout. The condition may read the client's state freely.
     */
    public boolean awaitCondition(BooleanSupplier condition, long timeout, TimeUnit unit) throws InterruptedException {
        return work.awaitCondition(condition, timeout, unit);
    }

    /** Subscribers that received at least one message, i.e. whose subscription is surely active. */
    public boolean awaitPrimed(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> deliveries.primed() >= subscribers, timeout, unit);
    }

    /** Waits until {@code subscribers} connections have received the last sequence number published so far. */
    public boolean awaitDrained(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        call(() -> {
            deliveries.reachFrom(lastSeqSent, connections);
            return null;
        });
        return awaitCondition(() -> deliveries.reached() >= subscribers, timeout, unit);
    }

    /**
     * Waits until, on each server {@code i}, {@code subscribersPerNode[i]} subscribers have received
     * sequence number {@code seq} or a later one. Returns, per server, the {@link System#nanoTime()}
     * at which the last of them had it (taken on the selector thread right after the read that
     * completed it), or -1 for a server that did not get there within the timeout.
     */
    public long[] awaitReachedByNode(long seq, int[] subscribersPerNode, long timeout, TimeUnit unit)
            throws InterruptedException {
        long[] at = new long[subscribersPerNode.length];
        java.util.Arrays.fill(at, -1);
        call(() -> {
            deliveries.reachFrom(seq, connections);
            return null;
        });
        awaitCondition(() -> {
            boolean all = true;
            for (int i = 0; i < at.length; i++) {
                if (at[i] < 0 && deliveries.reachedOn(i) >= subscribersPerNode[i]) {
                    at[i] = System.nanoTime();
                }
                all &= at[i] >= 0;
            }
            return all;
        }, timeout, unit);
        return call(at::clone);
    }

    /**
     * From now on, a subscriber the server closes with one of these codes (-1: the connection was
     * lost without a close frame) reconnects to the same
     * server and subscribes again at once, as a client does on a code that says so (4010: messages
     * lost; resubscribe). Such closes are counted by {@link #reconnects()}, not as unexpected; the
     * new connection's sequence check starts afresh (what it missed meanwhile is not a gap). A
     * refused reconnect is tried again 100 ms later, until it succeeds.
     */
    public void reconnectOn(java.util.Set<Integer> closeCodes) {
        call(() -> reconnectCodes = java.util.Set.copyOf(closeCodes));
    }

    /** Subscribers closed with a {@link #reconnectOn} code so far, and when the last was closed and the last new one ready. */
    public Reconnects reconnects() {
        return call(() -> new Reconnects(reconnects, reconnectDrops, reconnectRefusals, lastRefusalNanos, lastReconnectCloseNanos,
                lastReconnectReadyNanos));
    }

    /**
     * @param count          subscribers closed with a reconnect code so far
     * @param dropped        of those, connections lost without a close frame (code -1 in {@link #reconnectOn})
     * @param refusals       reconnect attempts the server refused (each retried 100 ms later)
     * @param lastRefusalNanos System.nanoTime of the last refusal (0: none)
     * @param lastClosedNanos System.nanoTime of the last such close (0: none)
     * @param lastReadyNanos System.nanoTime when the last reconnected subscriber was subscribed again (0: none)
     */
    public record Reconnects(int count, int dropped, int refusals, long lastRefusalNanos, long lastClosedNanos, long lastReadyNanos) {
    }

    /** Subscribers open and subscribed now, per server. */
    public int[] subscribersReadyByNode() {
        return call(() -> {
            int[] ready = new int[servers.size()];
            for (WsConnection connection : connections) {
                if (connection.spec.role().inAudience() && connection.state == WsConnection.State.READY) {
                    ready[connection.spec.node()]++;
                }
            }
            return ready;
        });
    }

    /** Waits until {@code total} user pushes arrived in all (each push reaches exactly one session). */
    public boolean awaitUserDeliveries(long total, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> deliveries.userDeliveries() >= total, timeout, unit);
    }

    /** Starts the in-band publisher on the (ready) publisher connection. */
    public void startPublisher(PublisherPlan plan) {
        call(() -> {
            WsConnection connection = connections.stream()
                    .filter(c -> c.spec.role() == Role.PUBLISHER && c.state == WsConnection.State.READY)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no ready publisher connection"));
            publisher = new InBandPublisher(connection, plan, new PublishEncoder(connection.spec.protocol(), topic),
                    System.nanoTime(), deliveries.total(), subscribersReady);
            return null;
        });
    }

    /** Stops the in-band publisher; returns the last sequence number sent. */
    public long stopPublisher() {
        return call(() -> {
            publisher = null;
            return lastSeqSent;
        });
    }

    /** The next sequence number a publisher (in band or {@link HttpTopicPublisher}) must use. */
    public long nextSeq() {
        return call(() -> lastSeqSent + 1);
    }

    /** Tells the client that another publisher sent everything up to {@code seq} (for {@link #awaitDrained}). */
    public void publishedElsewhere(long seq) {
        call(() -> lastSeqSent = Math.max(lastSeqSent, seq));
    }

    public void startWindow() {
        call(() -> {
            deliveries.startWindow();
            sendLag.reset();
            return null;
        });
    }

    public WindowStats endWindow() {
        return call(() -> stats(deliveries.windowDeliveries(), deliveries.endWindow()));
    }

    /**
     * How late the in-band open-loop publisher wrote its publications since {@link #startWindow}
     * (µs after their intended time): the load generator's own lag, which the latency includes.
     */
    public Histogram sendLag() {
        return call(sendLag::copy);
    }

    /** Problems so far, without a window. */
    public WindowStats totals() {
        return call(() -> stats(deliveries.total(), 0));
    }

    private WindowStats stats(long delivered, double seconds) {
        return new WindowStats(delivered, seconds, deliveries.latency(), deliveries.complete(), deliveries.spread(),
                deliveries.gaps(), deliveries.reorders(), unexpectedCloses, errorFrames, List.copyOf(problems),
                deliveries.latencyByNode(), deliveries.windowDeliveriesByNode());
    }

    /** Latency of user pushes during the last window (call after {@link #endWindow}). */
    public Histogram userLatency() {
        return call(deliveries::userLatency);
    }

    /**
     * Turns every {@link Role#SLOW_SUBSCRIBER} into a slow consumer: it stops reading, so the
     * server's buffers for it fill up. It leaves the audience (its sequence is no longer followed,
     * its close by the server is expected). Returns how many were stalled.
     */
    public int stallSlowSubscribers() {
        return call(() -> {
            for (WsConnection connection : connections) {
                if (connection.spec.role() == Role.SLOW_SUBSCRIBER && connection.state == WsConnection.State.READY
                        && !connection.stalled) {
                    connection.stalled = true;
                    connection.key.interestOps(0);
                    stalled++;
                }
            }
            return stalled;
        });
    }

    /** Starts churn (see {@link ChurnPlan}); churners are not in the audience and not in the latency figures. */
    public void startChurn(ChurnPlan plan) {
        call(() -> churn = new Churn(plan));
    }

    /** Stops churn and closes the churners still open; returns completed lives per second and failures. */
    public ChurnResult stopChurn() {
        return call(() -> {
            ChurnResult result = churn.result();
            for (WsConnection connection : churn.remaining()) {
                closeByUs(connection);
            }
            churn = null;
            return result;
        });
    }

    /** Churn's outcome: completed connect-subscribe-close lives per second, and connects that failed. */
    public record ChurnResult(double livesPerSecond, int failures) {
    }

    /**
     * From now on (until called with false), subscribers the server closes are counted by
     * {@link #expectedCloses()} rather than as unexpected: the overload phase offers more than
     * the maximum, and closing slow consumers is then the server's documented answer.
     */
    public void expectCloses(boolean expected) {
        call(() -> closesExpected = expected);
    }

    public int expectedCloses() {
        return call(() -> expectedCloses);
    }

    /** Subscribers open and subscribed now (stalled ones included). */
    public int subscribersReady() {
        return call(() -> subscribersReady);
    }

    /** Closes every connection (counted as intended, not as unexpected) and stops the selector thread. */
    @Override
    public void close() {
        if (!loop.isAlive()) {
            return;
        }
        try {
            call(() -> {
                connections.forEach(this::closeByUs);
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
                work.runPending();
                churn();
                retryReconnects();
                openMore();
                long timeoutMillis = selectTimeoutMillis();
                if (timeoutMillis == 0) {
                    selector.selectNow();
                } else {
                    selector.select(timeoutMillis);
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key);
                }
                publish();
                work.checkWaiters();
            } catch (IOException | RuntimeException e) {
                problem("selector loop: " + e);
            }
        }
    }

    /** Sleeps in select() only until the next publication is due (rate mode), else up to 50 ms. */
    private long selectTimeoutMillis() {
        if (!work.isEmpty()) {
            return 0;
        }
        if (publisher == null) {
            return 50;
        }
        long nanos = publisher.nanosUntilDue(System.nanoTime());
        if (nanos <= 0) {
            return 0;
        }
        // select() cannot sleep less than 1 ms: a publication may go out up to ~1 ms late. The
        // latency is measured from the intended time, so that lateness is counted, not hidden.
        return Math.max(1, nanos / 1_000_000);
    }

    /** Retires churners whose life is over (close frame 1000, then the socket) and starts new ones. */
    private void churn() throws IOException {
        if (churn == null) {
            return;
        }
        WsConnection old;
        while ((old = churn.expired(System.nanoTime())) != null) {
            sendFrame(old, ClientFrames.CLOSE, CLOSE_NORMAL, 0, 2);
            closeByUs(old);
        }
        while (churn.wantsMore()) {
            enqueue(churn.next(), new ConnectionBatch(1));
        }
    }

    private void enqueue(ConnectionSpec spec, ConnectionBatch batch) {
        WsConnection connection = new WsConnection(connections.size(), spec, batch);
        connections.add(connection);
        toOpen.add(connection);
    }

    private void openMore() {
        while (opening < maxOpening && !toOpen.isEmpty()) {
            WsConnection connection = toOpen.poll();
            opening++;
            try {
                SocketChannel channel = SocketChannel.open();
                connection.channel = channel;
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (connection.spec.role() == Role.SLOW_SUBSCRIBER) {
                    // Before connect, so the advertised window stays small (RFC 7323 window scaling).
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, ConnectionSpec.SLOW_RECEIVE_BUFFER);
                }
                // Each source address has its own ephemeral port range: > 28k sockets need several.
                InetAddress source = sourceAddresses.get(nextSource++ % sourceAddresses.size());
                channel.bind(new InetSocketAddress(source, 0));
                connection.batch.connecting(System.nanoTime());
                connection.key = channel.register(selector, SelectionKey.OP_CONNECT, connection);
                if (channel.connect(servers.get(connection.spec.node()))) {
                    connected(connection);
                }
            } catch (IOException e) {
                failOpening(connection, "connect: " + e.getMessage());
            }
        }
    }

    private void handle(SelectionKey key) {
        WsConnection connection = (WsConnection) key.attachment();
        if (!key.isValid()) {
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
            }
            if (key.isValid() && key.isReadable()) {
                read(connection);
            }
        } catch (IOException e) {
            lost(connection, "I/O: " + e.getMessage());
        }
    }

    private void connected(WsConnection connection) throws IOException {
        connection.state = WsConnection.State.UPGRADING;
        connection.key.interestOps(SelectionKey.OP_READ);
        connection.write(ByteBuffer.wrap(upgradeRequest(connection.spec).getBytes(StandardCharsets.US_ASCII)));
    }

    private String upgradeRequest(ConnectionSpec spec) {
        String target = switch (spec.protocol()) {
            case NATIVE -> "/ws/channel?token=" + spec.token() + "&channelId=" + spec.channelId();
            case STOMP -> "/ws/stomp";
            // WebSocket from the first request, as socket.io-client does with transports: ["websocket"].
            case SOCKETIO -> "/socket.io/?EIO=4&transport=websocket";
        };
        // A fixed key is fine: it only proves the server speaks WebSocket (RFC 6455 section 4.1).
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + hostHeaders.get(spec.node()) + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (spec.protocol() == Protocol.STOMP ? "Sec-WebSocket-Protocol: v12.stomp\r\n" : "")
                + "\r\n";
    }

    private void read(WsConnection connection) throws IOException {
        byte[] bytes = readBuffer.array();
        while (true) {
            readBuffer.clear();
            readBuffer.put(connection.carry, 0, connection.carryLength);
            int n = connection.channel.read(readBuffer);
            if (n < 0) {
                lost(connection, "server closed the TCP connection");
                return;
            }
            if (n == 0) {
                return;
            }
            readNowMicros = System.nanoTime() / 1000;
            int end = readBuffer.position();
            int consumed = parser.parse(connection, bytes, end);
            if (!connection.isOpen()) {
                return;
            }
            connection.keepCarry(bytes, consumed, end);
            if (end < readBuffer.capacity()) {
                return; // the socket had no more for now
            }
        }
    }

    // ---------------------------------------------------------------- InboundParser.Sink

    @Override
    public void upgraded(WsConnection connection) throws IOException {
        // The native protocol's and Engine.IO's server speak first (welcome, open); STOMP's client does (CONNECT).
        // Either way the next step is an answer that proves the token was accepted.
        connection.state = WsConnection.State.AWAIT_WELCOME;
        if (connection.spec.protocol() == Protocol.STOMP) {
            // heart-beat 0,10000: we send none, the server may send us one every 10 s (STOMP 1.2 "Heart-beating").
            sendText(connection, "CONNECT\naccept-version:1.2\nhost:localhost\nAuthorization:Bearer "
                    + connection.spec.token() + "\nheart-beat:0,10000\n\n\0");
        }
    }

    @Override
    public void refused(WsConnection connection, String statusLine) {
        failOpening(connection, "upgrade refused: " + statusLine);
    }

    @Override
    public void frame(WsConnection connection, int opcode, byte[] bytes, int off, int len) throws IOException {
        switch (opcode) {
            case 0x0, 0x1, 0x2 -> {
                switch (connection.spec.protocol()) {
                    case NATIVE -> nativeText(connection, bytes, off, len);
                    case STOMP -> stompText(connection, bytes, off, len);
                    case SOCKETIO -> socketIoText(connection, bytes, off, len);
                }
            }
            case 0x8 -> {
                int code = len >= 2 ? ((bytes[off] & 0xFF) << 8) | (bytes[off + 1] & 0xFF) : 1005;
                String reason = len > 2 ? new String(bytes, off + 2, len - 2, StandardCharsets.UTF_8) : "";
                lost(connection, "close frame " + code + " " + reason, code);
            }
            case 0x9 -> sendFrame(connection, ClientFrames.PONG, bytes, off, len);
            default -> {
                // pong or reserved: nothing to do
            }
        }
    }

    @Override
    public void violation(WsConnection connection, String why) {
        errorFrames++;
        lost(connection, why);
    }

    // ---------------------------------------------------------------- the two protocols

    private void nativeText(WsConnection connection, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        long seq = Ascii.numberAfterLast(bytes, off, end, SEQ_KEY);
        if (seq >= 0) {
            topicMessage(connection, seq, Ascii.numberAfterLast(bytes, off, end, T_KEY));
            return;
        }
        long userSeq = Ascii.numberAfterLast(bytes, off, end, USEQ_KEY);
        if (userSeq >= 0) {
            deliveries.userMessage(connection, userSeq, Ascii.numberAfterLast(bytes, off, end, T_KEY), readNowMicros);
            return;
        }
        if (Ascii.indexOf(bytes, off, end, TYPE_ERROR) >= 0) {
            errorFrames++;
            problem("connection " + connection.id + " got " + new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8));
            return;
        }
        if (connection.state == WsConnection.State.AWAIT_WELCOME && Ascii.indexOf(bytes, off, end, WELCOME) >= 0) {
            authenticated(connection, "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        } else if (connection.state == WsConnection.State.AWAIT_SUBSCRIBED && Ascii.indexOf(bytes, off, end, SUBSCRIBED) >= 0) {
            ready(connection);
        }
    }

    private void stompText(WsConnection connection, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        if (Ascii.startsWith(bytes, off, end, MESSAGE)) {
            topicMessage(connection, Ascii.numberAfterLast(bytes, off, end, SEQ_KEY),
                    Ascii.numberAfterLast(bytes, off, end, T_KEY));
        } else if (Ascii.startsWith(bytes, off, end, CONNECTED)) {
            authenticated(connection, "SUBSCRIBE\nid:0\ndestination:/topic/" + topic + "\nack:auto\nreceipt:subscribed\n\n\0");
        } else if (Ascii.startsWith(bytes, off, end, RECEIPT)) {
            if (connection.state == WsConnection.State.AWAIT_SUBSCRIBED) {
                ready(connection);
            }
        } else if (Ascii.startsWith(bytes, off, end, ERROR)) {
            errorFrames++;
            problem("connection " + connection.id + " got " + new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8)
                    .replace('\n', ' ').replace('\0', ' '));
        }
        // anything else is a heart-beat (an empty line)
    }

    private void socketIoText(WsConnection connection, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        switch (SocketIoPackets.kind(bytes, off, end)) {
            case EVENT -> {
                if (SocketIoPackets.isEvent(bytes, off, end, SIO_MESSAGE)) {
                    topicMessage(connection, Ascii.numberAfterLast(bytes, off, end, SEQ_KEY),
                            Ascii.numberAfterLast(bytes, off, end, T_KEY));
                } else if (connection.state == WsConnection.State.AWAIT_SUBSCRIBED
                        && SocketIoPackets.isEvent(bytes, off, end, SIO_SUBSCRIBED)) {
                    ready(connection);
                }
            }
            case PING -> sendFrame(connection, ClientFrames.TEXT, SocketIoPackets.PONG, 0, SocketIoPackets.PONG.length);
            case OPEN -> {
                if (connection.state == WsConnection.State.AWAIT_WELCOME) {
                    sendText(connection, SocketIoPackets.connect(connection.spec.token()));
                }
            }
            case CONNECTED -> {
                if (connection.state == WsConnection.State.AWAIT_WELCOME) {
                    authenticated(connection, SocketIoPackets.event("subscribe", topic));
                }
            }
            case CONNECT_ERROR -> {
                String refusal = new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8);
                if (connection.state == WsConnection.State.READY) {
                    errorFrames++;
                    problem("connection " + connection.id + " got " + refusal);
                } else {
                    failOpening(connection, refusal); // the server keeps the WebSocket open after refusing
                }
            }
            case OTHER -> {
                // pong, noop, acks: nothing the benchmark needs
            }
        }
    }

    /** The server accepted the token ({@code welcome} / CONNECTED): subscribe, or be ready. */
    private void authenticated(WsConnection connection, String subscribe) throws IOException {
        connection.batch.authenticated(System.nanoTime());
        if (connection.spec.role().subscribes()) {
            connection.state = WsConnection.State.AWAIT_SUBSCRIBED;
            sendText(connection, subscribe);
        } else {
            ready(connection);
        }
    }

    private void topicMessage(WsConnection connection, long seq, long intendedMicros) {
        if (seq < 0) {
            errorFrames++;
            problem("connection " + connection.id + " got a message without \"seq\"");
            return;
        }
        deliveries.topicMessage(connection, seq, intendedMicros, readNowMicros, subscribersReady - stalled);
    }

    private void ready(WsConnection connection) {
        connection.state = WsConnection.State.READY;
        opening--;
        long now = System.nanoTime();
        if (connection.reconnect) {
            lastReconnectReadyNanos = now;
        }
        if (connection.spec.role().inAudience()) {
            subscribersReady++;
        } else if (connection.spec.role() == Role.CHURNER && churn != null) {
            churn.ready(connection, now);
        }
        connection.batch.ready(now);
    }

    // ---------------------------------------------------------------- sending and closing

    private void publish() throws IOException {
        InBandPublisher p = publisher;
        if (p == null) {
            return;
        }
        if (!p.connection.isOpen()) {
            problem("publisher connection closed");
            publisher = null;
            return;
        }
        if (p.connection.backlog() > MAX_PUBLISHER_BACKLOG) {
            problem("publisher stopped: the server did not read " + MAX_PUBLISHER_BACKLOG + " bytes of publications");
            publisher = null;
            return;
        }
        long now = System.nanoTime();
        int burst = 0;
        long intendedNanos;
        while (burst < 1000 && (intendedNanos = p.nextIntendedNanos(now, deliveries.total())) != Long.MIN_VALUE) {
            long seq = ++lastSeqSent;
            int length = p.encoder.encode(scratch, intendedNanos / 1000, seq);
            if (p.openLoop()) {
                sendLag.recordValue(Math.max(0, now - intendedNanos) / 1000);
            }
            sendFrame(p.connection, ClientFrames.TEXT, scratch, 0, length);
            p.sent++;
            burst++;
        }
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

    private void failOpening(WsConnection connection, String why) {
        if (connection.reconnect) {
            // A reconnect refused (e.g. 503 while the node has no lease yet): try again shortly, as a client would.
            reconnectRefusals++;
            lastRefusalNanos = System.nanoTime();
            closeByUs(connection);
            opening--;
            connection.batch.fail();
            retries.add(new Retry(connection.spec, System.nanoTime() + RECONNECT_RETRY_NANOS));
            return;
        }
        problem("connection " + connection.id + " failed: " + why);
        if (connection.spec.role() == Role.CHURNER && churn != null) {
            churn.lost(true);
        }
        closeByUs(connection);
        opening--;
        connection.batch.fail();
    }

    /** The server closed the connection, or it broke. */
    private void lost(WsConnection connection, String why) {
        lost(connection, why, -1);
    }

    /** @param closeCode the close frame's code, or -1 if the connection broke without one */
    private void lost(WsConnection connection, String why, int closeCode) {
        if (!connection.isOpen()) {
            return;
        }
        boolean wasOpening = connection.state != WsConnection.State.READY;
        boolean reconnect = !wasOpening && connection.spec.role().inAudience() && !connection.closingByUs
                && reconnectCodes.contains(closeCode);
        if (wasOpening && connection.reconnect && !connection.closingByUs) {
            failOpening(connection, why); // retried
            return;
        }
        if (reconnect) {
            reconnects++;
            if (closeCode < 0) {
                reconnectDrops++;
            }
            lastReconnectCloseNanos = System.nanoTime();
        } else if (closesExpected && connection.spec.role().inAudience() && !connection.closingByUs) {
            expectedCloses++;
        } else if (!connection.closingByUs && !connection.stalled) {
            unexpectedCloses++;
            problem("connection " + connection.id + " (" + connection.spec.role() + ") lost: " + why);
        }
        connection.closeSocket();
        if (connection.spec.role() == Role.CHURNER && churn != null) {
            churn.lost(wasOpening);
        }
        if (wasOpening) {
            opening--;
            connection.batch.fail();
        } else if (connection.spec.role().inAudience()) {
            subscribersReady--;
            deliveries.left(connection);
            if (connection.stalled) {
                stalled--;
            }
        }
        if (reconnect) {
            // What a client does on this code (e.g. 4010: reconnect and resubscribe): at once, same server.
            enqueueReconnect(connection.spec);
        }
    }

    private void enqueueReconnect(ConnectionSpec spec) {
        enqueue(spec, new ConnectionBatch(1));
        connections.get(connections.size() - 1).reconnect = true;
    }

    /** Starts the reconnects whose retry is due. */
    private void retryReconnects() {
        long now = System.nanoTime();
        while (!retries.isEmpty() && retries.peekFirst().dueNanos() <= now) {
            enqueueReconnect(retries.pollFirst().spec());
        }
    }

    private record Retry(ConnectionSpec spec, long dueNanos) {
    }

    private void closeByUs(WsConnection connection) {
        connection.closingByUs = true;
        connection.closeSocket();
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

}
