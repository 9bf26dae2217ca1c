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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator: many client WebSockets driven by ONE selector thread, with the upgrade
 * written by hand, frames parsed in place in one shared read buffer (no allocation per message),
 * masking on send, client sockets spread over several loopback source addresses (each address
 * has its own 28,232 ephemeral ports), HdrHistogram latency and per-connection sequence checks.
 *
 * <p>Why not a WebSocket library: the Tyrus client, the JDK client and Node's ws swing between
 * 70k and 240k messages/s on one core (issue 6), too unsteady to measure a server with.
 *
 * <p>Thread safety: all state belongs to the selector thread. Other threads talk to it only
 * through {@link #call} (a task queue plus {@code wakeup()}), {@link #awaitCondition} and the
 * latches of {@link ConnectionBatch}.
 */
public final class LoadClient implements AutoCloseable {

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
    private static final byte[] HEAD_END = Ascii.bytes("\r\n\r\n");
    private static final byte[] LINE_END = Ascii.bytes("\r\n");
    private static final byte[] STATUS_101 = Ascii.bytes(" 101 ");
    private static final int MAX_PUBLISHER_BACKLOG = 16 << 20;
    private static final int MAX_PROBLEMS = 20;

    private final InetSocketAddress server;
    private final String hostHeader;
    private final String topic;
    private final List<InetAddress> sourceAddresses;
    private final Selector selector;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    // Everything below belongs to the selector thread.
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(64 * 1024);
    private final byte[] scratch = new byte[4096];
    private final ClientFrames frames = new ClientFrames();
    private final List<WsConnection> connections = new ArrayList<>();
    private final ArrayDeque<WsConnection> toOpen = new ArrayDeque<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private int maxOpening = 128;
    private int opening;
    private int nextSource;
    private long readNowMicros;

    private int subscribersReady;
    private int primed;
    private long deliveries;
    private long gaps;
    private long reorders;
    private int unexpectedCloses;
    /** While set (an overload phase), a server closing subscribers is a result, not a failure. */
    private boolean closesExpected;
    private int expectedCloses;
    private int errorFrames;
    private final List<String> problems = new ArrayList<>();

    private boolean windowOpen;
    private long windowStartNanos;
    private long windowDeliveries;
    private final Histogram latency = new Histogram(3);
    private final Histogram userLatency = new Histogram(3);
    private long userDeliveries;
    private final BroadcastSpread spread = new BroadcastSpread();
    private int stalled;

    private InBandPublisher publisher;

    private ChurnPlan churn;
    private final ArrayDeque<WsConnection> churners = new ArrayDeque<>();
    private int churnAlive;
    private long churnCounter;
    private long churnCycles;
    private int churnFailures;
    private long churnStartNanos;
    private long lastSeqSent = -1;

    private long reachTarget = Long.MAX_VALUE;
    private int reachGeneration;
    private int reached;

    /**
     * @param server          the peer's address
     * @param topic           the topic every subscriber subscribes to and the publisher publishes to
     * @param sourceAddresses local addresses to bind client sockets to, round robin
     */
    public LoadClient(InetSocketAddress server, String topic, List<InetAddress> sourceAddresses) throws IOException {
        this.server = server;
        this.hostHeader = server.getHostString() + ":" + server.getPort();
        this.topic = topic;
        this.sourceAddresses = List.copyOf(sourceAddresses);
        this.selector = Selector.open();
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
            for (ConnectionSpec spec : specs) {
                WsConnection connection = new WsConnection(connections.size(), spec, batch);
                connections.add(connection);
                toOpen.add(connection);
            }
            return null;
        });
        return batch;
    }

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

    /**
     * Waits until {@code condition}, evaluated on the selector thread after each round of I/O,
     * holds; false on timeout. The condition may read the client's state freely.
     */
    public boolean awaitCondition(BooleanSupplier condition, long timeout, TimeUnit unit) throws InterruptedException {
        Waiter waiter = new Waiter(condition);
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

    /** Subscribers that received at least one message, i.e. whose subscription is surely active. */
    public boolean awaitPrimed(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> primed >= subscribers, timeout, unit);
    }

    /** Waits until {@code subscribers} connections have received the last sequence number published so far. */
    public boolean awaitDrained(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        call(() -> {
            reachGeneration++;
            reached = 0;
            reachTarget = lastSeqSent;
            for (WsConnection connection : connections) {
                if (connection.spec.role().inAudience() && !connection.stalled && connection.lastSeq >= reachTarget) {
                    connection.reachedGeneration = reachGeneration;
                    reached++;
                }
            }
            return null;
        });
        return awaitCondition(() -> reached >= subscribers, timeout, unit);
    }

    /** Starts the in-band publisher on the (ready) publisher connection. */
    public void startPublisher(PublisherPlan plan) {
        call(() -> {
            WsConnection connection = connections.stream()
                    .filter(c -> c.spec.role() == Role.PUBLISHER && c.state == WsConnection.State.READY)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no ready publisher connection"));
            publisher = new InBandPublisher(connection, plan, new PublishEncoder(connection.spec.protocol(), topic),
                    System.nanoTime(), deliveries, subscribersReady);
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
            windowOpen = true;
            windowStartNanos = System.nanoTime();
            windowDeliveries = 0;
            latency.reset();
            userLatency.reset();
            spread.reset();
            return null;
        });
    }

    public WindowStats endWindow() {
        return call(() -> {
            windowOpen = false;
            double seconds = (System.nanoTime() - windowStartNanos) / 1e9;
            return new WindowStats(windowDeliveries, seconds, latency.copy(), spread.complete(), spread.spread(), gaps,
                    reorders, unexpectedCloses, errorFrames, List.copyOf(problems));
        });
    }

    /** Problems so far, without a window (after a handshake run, for example). */
    public WindowStats totals() {
        return call(() -> new WindowStats(deliveries, 0, latency.copy(), spread.complete(), spread.spread(), gaps,
                reorders, unexpectedCloses, errorFrames, List.copyOf(problems)));
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
        call(() -> {
            churn = plan;
            churnCycles = 0;
            churnFailures = 0;
            churnStartNanos = System.nanoTime();
            return null;
        });
    }

    /** Stops churn and closes the churners still open; returns completed lives per second and failures. */
    public ChurnResult stopChurn() {
        return call(() -> {
            double seconds = (System.nanoTime() - churnStartNanos) / 1e9;
            ChurnResult result = new ChurnResult(churnCycles / seconds, churnFailures);
            churn = null;
            for (WsConnection connection : churners) {
                connection.closingByUs = true;
                closeQuietly(connection);
            }
            churners.clear();
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
                for (WsConnection connection : connections) {
                    connection.closingByUs = true;
                    closeQuietly(connection);
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
                runTasks();
                churn();
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
                checkWaiters();
            } catch (IOException | RuntimeException e) {
                problem("selector loop: " + e);
            }
        }
    }

    /** Sleeps in select() only until the next publication is due (rate mode), else up to 50 ms. */
    private long selectTimeoutMillis() {
        if (!tasks.isEmpty()) {
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

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void checkWaiters() {
        for (int i = waiters.size() - 1; i >= 0; i--) {
            Waiter waiter = waiters.get(i);
            if (waiter.condition.getAsBoolean()) {
                waiters.remove(i);
                waiter.done.complete(null);
            }
        }
    }

    /** Retires churners whose life is over and starts new ones until {@code concurrent} are alive. */
    private void churn() throws IOException {
        ChurnPlan plan = churn;
        if (plan == null) {
            return;
        }
        long now = System.nanoTime();
        long lifetime = plan.lifetimeMillis() * 1_000_000L;
        while (!churners.isEmpty() && now - churners.peekFirst().readyNanos >= lifetime) {
            WsConnection old = churners.pollFirst();
            if (old.isOpen()) {
                old.closingByUs = true;
                byte[] normal = {0x03, (byte) 0xE8}; // 1000
                sendFrame(old, ClientFrames.CLOSE, normal, 0, 2);
                closeQuietly(old);
                churnAlive--;
                churnCycles++;
            }
        }
        while (churnAlive < plan.concurrent()) {
            String channel = "churn-" + churnCounter++;
            WsConnection connection = new WsConnection(connections.size(),
                    new ConnectionSpec(plan.protocol(), Role.CHURNER, plan.token(), channel), new ConnectionBatch(1));
            connections.add(connection);
            toOpen.add(connection);
            churnAlive++;
        }
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
                if (channel.connect(server)) {
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
                flush(connection);
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
        send(connection, ByteBuffer.wrap(upgradeRequest(connection.spec).getBytes(StandardCharsets.US_ASCII)));
    }

    private String upgradeRequest(ConnectionSpec spec) {
        String target = spec.protocol() == Protocol.NATIVE
                ? "/ws/channel?token=" + spec.token() + "&channelId=" + spec.channelId()
                : "/ws/stomp";
        // A fixed key is fine: it only proves the server speaks WebSocket (RFC 6455 section 4.1).
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
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
            int consumed = parse(connection, bytes, end);
            if (!connection.isOpen()) {
                return;
            }
            connection.keepCarry(bytes, consumed, end);
            if (end < readBuffer.capacity()) {
                return; // the socket had no more for now
            }
        }
    }

    /** Parses everything complete in {@code bytes[0, end)}; returns how many bytes were used. */
    private int parse(WsConnection connection, byte[] bytes, int end) throws IOException {
        int at = 0;
        if (connection.state == WsConnection.State.UPGRADING) {
            int headEnd = Ascii.indexOf(bytes, 0, end, HEAD_END);
            if (headEnd < 0) {
                return 0;
            }
            int lineEnd = Ascii.indexOf(bytes, 0, headEnd + 2, LINE_END);
            if (Ascii.indexOf(bytes, 0, lineEnd, STATUS_101) < 0) {
                String status = new String(bytes, 0, lineEnd, StandardCharsets.US_ASCII);
                failOpening(connection, "upgrade refused: " + status);
                return end;
            }
            at = headEnd + 4;
            opened(connection);
        }
        while (connection.isOpen() && end - at >= 2) {
            int b0 = bytes[at] & 0xFF;
            int b1 = bytes[at + 1] & 0xFF;
            int opcode = b0 & 0x0F;
            int header = 2;
            long length = b1 & 0x7F;
            if (length == 126) {
                if (end - at < 4) {
                    break;
                }
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                if (end - at < 10) {
                    break;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = (length << 8) | (bytes[at + i] & 0xFF);
                }
                header = 10;
            }
            if ((b1 & 0x80) != 0) {
                protocolViolation(connection, "server sent a masked frame");
                return end;
            }
            if (length > readBuffer.capacity() - 16) {
                protocolViolation(connection, "frame of " + length + " bytes is larger than the read buffer");
                return end;
            }
            if (end - at < header + length) {
                break;
            }
            frame(connection, opcode, bytes, at + header, (int) length);
            at += header + (int) length;
        }
        return at;
    }

    private void opened(WsConnection connection) throws IOException {
        ConnectionSpec spec = connection.spec;
        if (spec.protocol() == Protocol.NATIVE) {
            connection.state = WsConnection.State.AWAIT_WELCOME;
        } else {
            connection.state = WsConnection.State.AWAIT_WELCOME; // CONNECTED plays the welcome's part
            // heart-beat 0,10000: we send none, the server may send us one every 10 s (STOMP 1.2 "Heart-beating").
            sendText(connection, "CONNECT\naccept-version:1.2\nhost:localhost\nAuthorization:Bearer " + spec.token()
                    + "\nheart-beat:0,10000\n\n\0");
        }
    }

    private void frame(WsConnection connection, int opcode, byte[] bytes, int off, int len) throws IOException {
        switch (opcode) {
            case 0x0, 0x1, 0x2 -> {
                if (connection.spec.protocol() == Protocol.NATIVE) {
                    nativeText(connection, bytes, off, len);
                } else {
                    stompText(connection, bytes, off, len);
                }
            }
            case 0x8 -> {
                int code = len >= 2 ? ((bytes[off] & 0xFF) << 8) | (bytes[off + 1] & 0xFF) : 1005;
                String reason = len > 2 ? new String(bytes, off + 2, len - 2, StandardCharsets.UTF_8) : "";
                lost(connection, "close frame " + code + " " + reason);
            }
            case 0x9 -> sendFrame(connection, ClientFrames.PONG, bytes, off, len);
            default -> {
                // pong or reserved: nothing to do
            }
        }
    }

    private void nativeText(WsConnection connection, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        long seq = Ascii.numberAfter(bytes, off, end, SEQ_KEY);
        if (seq >= 0) {
            message(connection, seq, Ascii.numberAfter(bytes, off, end, T_KEY));
            return;
        }
        long userSeq = Ascii.numberAfter(bytes, off, end, USEQ_KEY);
        if (userSeq >= 0) {
            userMessage(connection, userSeq, Ascii.numberAfter(bytes, off, end, T_KEY));
            return;
        }
        if (Ascii.indexOf(bytes, off, end, TYPE_ERROR) >= 0) {
            errorFrames++;
            problem("connection " + connection.id + " got " + new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8));
            return;
        }
        if (connection.state == WsConnection.State.AWAIT_WELCOME && Ascii.indexOf(bytes, off, end, WELCOME) >= 0) {
            connection.batch.authenticated(System.nanoTime());
            if (connection.spec.role().subscribes()) {
                connection.state = WsConnection.State.AWAIT_SUBSCRIBED;
                sendText(connection, "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            } else {
                ready(connection);
            }
        } else if (connection.state == WsConnection.State.AWAIT_SUBSCRIBED && Ascii.indexOf(bytes, off, end, SUBSCRIBED) >= 0) {
            ready(connection);
        }
    }

    private void stompText(WsConnection connection, byte[] bytes, int off, int len) throws IOException {
        int end = off + len;
        if (Ascii.startsWith(bytes, off, end, MESSAGE)) {
            message(connection, Ascii.numberAfter(bytes, off, end, SEQ_KEY), Ascii.numberAfter(bytes, off, end, T_KEY));
        } else if (Ascii.startsWith(bytes, off, end, CONNECTED)) {
            connection.batch.authenticated(System.nanoTime());
            if (connection.spec.role().subscribes()) {
                connection.state = WsConnection.State.AWAIT_SUBSCRIBED;
                sendText(connection, "SUBSCRIBE\nid:0\ndestination:/topic/" + topic + "\nack:auto\nreceipt:subscribed\n\n\0");
            } else {
                ready(connection);
            }
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

    private void message(WsConnection connection, long seq, long intendedMicros) {
        if (seq < 0) {
            errorFrames++;
            problem("connection " + connection.id + " got a message without \"seq\"");
            return;
        }
        boolean audience = connection.spec.role().inAudience();
        if (audience) {
            deliveries++;
        }
        if (windowOpen && audience) {
            windowDeliveries++;
            if (intendedMicros >= 0) {
                long micros = Math.max(0, readNowMicros - intendedMicros);
                latency.recordValue(micros);
                spread.delivered(seq, micros, subscribersReady - stalled);
            }
        }
        long last = connection.lastSeq;
        if (last < 0) {
            if (audience) {
                primed++; // the first message fixes where this connection's sequence starts
            }
        } else if (seq > last + 1) {
            gaps += seq - last - 1;
            if (gaps == seq - last - 1) {
                problem("connection " + connection.id + ": gap after " + last + ", got " + seq);
            }
        } else if (seq <= last) {
            reorders++;
        }
        if (seq > last) {
            connection.lastSeq = seq;
        }
        if (audience && seq >= reachTarget && connection.reachedGeneration != reachGeneration) {
            connection.reachedGeneration = reachGeneration;
            reached++;
        }
    }

    /** A push to this connection's user (HttpUserPusher): its own sequence, its own histogram. */
    private void userMessage(WsConnection connection, long userSeq, long intendedMicros) {
        userDeliveries++;
        if (windowOpen && intendedMicros >= 0) {
            userLatency.recordValue(Math.max(0, readNowMicros - intendedMicros));
        }
        long expected = connection.lastUserSeq + 1;
        if (userSeq > expected) {
            gaps += userSeq - expected;
            problem("connection " + connection.id + ": user push gap after " + connection.lastUserSeq + ", got " + userSeq);
        } else if (userSeq < expected) {
            reorders++;
        }
        connection.lastUserSeq = Math.max(connection.lastUserSeq, userSeq);
    }

    /** Waits until {@code total} user pushes arrived in all (each push reaches exactly one session). */
    public boolean awaitUserDeliveries(long total, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> userDeliveries >= total, timeout, unit);
    }

    /** Latency of user pushes during the last window (call after {@link #endWindow}). */
    public Histogram userLatency() {
        return call(userLatency::copy);
    }

    private void ready(WsConnection connection) {
        connection.state = WsConnection.State.READY;
        opening--;
        long now = System.nanoTime();
        if (connection.spec.role().inAudience()) {
            subscribersReady++;
        } else if (connection.spec.role() == Role.CHURNER) {
            connection.readyNanos = now;
            churners.add(connection);
        }
        connection.batch.ready(now);
    }

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
        if (p.connection.pendingOut != null && p.connection.pendingOut.position() > MAX_PUBLISHER_BACKLOG) {
            problem("publisher stopped: the server did not read " + MAX_PUBLISHER_BACKLOG + " bytes of publications");
            publisher = null;
            return;
        }
        long now = System.nanoTime();
        int burst = 0;
        long intendedNanos;
        while (burst < 1000 && (intendedNanos = p.nextIntendedNanos(now, deliveries)) != Long.MIN_VALUE) {
            long seq = ++lastSeqSent;
            int length = p.encoder.encode(scratch, intendedNanos / 1000, seq);
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
        send(connection, out);
    }

    /** Writes now if nothing is queued; queues what the socket does not take and asks for OP_WRITE. */
    private void send(WsConnection connection, ByteBuffer data) throws IOException {
        if (connection.pendingOut == null) {
            connection.channel.write(data);
            if (!data.hasRemaining()) {
                return;
            }
            connection.pendingOut = ByteBuffer.allocate(Math.max(64 * 1024, 2 * data.remaining()));
            connection.key.interestOps(connection.key.interestOps() | SelectionKey.OP_WRITE);
        }
        if (connection.pendingOut.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(2 * (connection.pendingOut.position() + data.remaining()));
            connection.pendingOut.flip();
            bigger.put(connection.pendingOut);
            connection.pendingOut = bigger;
        }
        connection.pendingOut.put(data);
    }

    private void flush(WsConnection connection) throws IOException {
        ByteBuffer pending = connection.pendingOut;
        if (pending == null) {
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        pending.flip();
        connection.channel.write(pending);
        if (pending.hasRemaining()) {
            pending.compact();
        } else {
            connection.pendingOut = null;
            connection.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void failOpening(WsConnection connection, String why) {
        problem("connection " + connection.id + " failed: " + why);
        if (connection.spec.role() == Role.CHURNER) {
            churnAlive--;
            churnFailures++;
        }
        connection.closingByUs = true;
        closeQuietly(connection);
        opening--;
        connection.batch.fail();
    }

    private void lost(WsConnection connection, String why) {
        if (!connection.isOpen()) {
            return;
        }
        boolean wasOpening = connection.state != WsConnection.State.READY;
        if (closesExpected && connection.spec.role().inAudience() && !connection.closingByUs) {
            expectedCloses++;
        } else if (!connection.closingByUs && !connection.stalled) {
            unexpectedCloses++;
            problem("connection " + connection.id + " (" + connection.spec.role() + ") lost: " + why);
        }
        closeQuietly(connection);
        if (connection.spec.role() == Role.CHURNER) {
            churnAlive--;
            if (wasOpening) {
                churnFailures++;
            }
        }
        if (wasOpening) {
            opening--;
            connection.batch.fail();
        } else if (connection.spec.role().inAudience()) {
            subscribersReady--;
            if (connection.stalled) {
                stalled--;
            }
        }
    }

    private void protocolViolation(WsConnection connection, String why) {
        errorFrames++;
        lost(connection, why);
    }

    private void closeQuietly(WsConnection connection) {
        connection.state = WsConnection.State.CLOSED;
        try {
            if (connection.channel != null) {
                connection.channel.close();
            }
        } catch (IOException ignored) {
            // already broken
        }
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

    private record Waiter(BooleanSupplier condition, CompletableFuture<Void> done) {
        Waiter(BooleanSupplier condition) {
            this(condition, new CompletableFuture<>());
        }
    }
}
