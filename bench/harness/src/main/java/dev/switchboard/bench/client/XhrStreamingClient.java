package dev.switchboard.bench.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * Subscribers of the native protocol over SockJS {@code xhr_streaming} ({@code /sockjs/channel}),
 * as sockjs-client runs it: per subscriber one SockJS session whose messages arrive on a
 * long-lived HTTP/1.1 connection, one streaming {@code POST .../xhr_streaming} after another (the
 * server ends each after 128 KiB or a heart-beat, and the client asks for the next at once, on
 * the same connection unless the server said {@code Connection: close}), and whose one
 * {@code subscribe} goes out as a short {@code POST .../xhr_send}.
 *
 * <p>The streams are driven like {@link LoadClient}'s WebSockets, by ONE selector thread with the
 * requests written by hand, the chunked bodies and SockJS frames parsed in place
 * ({@link XhrStreamParser}, no allocation per message), sockets spread over the loopback source
 * addresses, and the same {@link Deliveries} ledger (latency from the intended send time,
 * per-subscriber sequence checks). Why not the JDK's HttpClient for the streams: it holds 1,000
 * streaming responses (a trial opened them in 3.8 s, none failed), but reading them as lines, with
 * no sequence check or latency ledger, took 78-86 % of the client core at 50,000-150,000
 * deliveries/s, where this client, publisher included, takes 42-55 %: past the 80 % at which the
 * suite counts the load generator as the limit, so the comparison would have measured the clients. The {@code xhr_send} requests, one per subscriber while
 * connecting, go through the JDK client, their answers back to the selector thread as tasks.
 *
 * <p>Thread safety: all state belongs to the selector thread. Other threads talk to it only
 * through {@link #call} (a task queue plus {@code wakeup()}), {@link #awaitCondition} and the
 * latches of {@link ConnectionBatch}.
 */
public final class XhrStreamingClient implements FanoutClient, XhrStreamParser.Sink {

    // Keys as they appear inside a SockJS message: a JSON string holding the native frame, its quotes escaped.
    private static final byte[] SEQ_KEY = Ascii.bytes("\\\"seq\\\":");
    private static final byte[] T_KEY = Ascii.bytes("\\\"t\\\":");
    private static final byte[] WELCOME = Ascii.bytes("\\\"welcome\\\"");
    private static final byte[] SUBSCRIBED = Ascii.bytes("\\\"subscribed\\\"");
    private static final byte[] TYPE_ERROR = Ascii.bytes("\\\"type\\\":\\\"error\\\"");
    private static final int MIN_READ = 64 * 1024;
    private static final int MAX_PROBLEMS = 20;

    private final InetSocketAddress server;
    private final URI base;
    private final String topic;
    private final List<InetAddress> sourceAddresses;
    /** Keeps this client's SockJS session ids apart from any other client's on the same server. */
    private final String sessionPrefix = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient sends = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Selector selector;
    private final Thread loop;
    private final SelectorTasks work;
    private volatile boolean running = true;

    // Everything below belongs to the selector thread.
    /** Grows when a SockJS frame is longer than it (a session's backlog may leave as one frame). */
    private ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final XhrStreamParser parser = new XhrStreamParser(this);
    private final List<String> problems = new ArrayList<>();
    private final Deliveries deliveries;
    private final List<XhrStreamSession> sessions = new ArrayList<>();
    private final ArrayDeque<XhrStreamSession> toOpen = new ArrayDeque<>();
    private int maxOpening = 64;
    private int opening;
    private int nextSource;
    private long readNowMicros;
    private int subscribersReady;
    private int unexpectedCloses;
    private int errorFrames;
    private long lastSeqSent = -1;
    private long streamsStarted;
    private long connectionsOpened;
    /** µs from the end of a stream to the head of the next, in the current or last window. */
    private final Histogram reopens = new Histogram(3);
    private boolean windowOpen;

    /**
     * @param server          the server's address
     * @param topic           the topic every subscriber subscribes to
     * @param sourceAddresses local addresses to bind the streams' sockets to, round robin
     */
    public XhrStreamingClient(InetSocketAddress server, String topic, List<InetAddress> sourceAddresses) throws IOException {
        this.server = server;
        this.base = URI.create("http://" + server.getHostString() + ":" + server.getPort());
        this.topic = topic;
        this.sourceAddresses = List.copyOf(sourceAddresses);
        this.deliveries = new Deliveries(this::problem);
        this.selector = Selector.open();
        this.work = new SelectorTasks(selector);
        this.loop = new Thread(this::runLoop, "xhr-streaming-selector");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    // ---------------------------------------------------------------- API for the harness thread

    /** Opens a SockJS session per spec (subscribers only), at most {@code maxInFlight} opening at a time. */
    @Override
    public ConnectionBatch open(List<ConnectionSpec> specs, int maxInFlight) {
        ConnectionBatch batch = new ConnectionBatch(specs.size());
        call(() -> {
            maxOpening = maxInFlight;
            for (ConnectionSpec spec : specs) {
                if (spec.role() != Role.SUBSCRIBER || spec.protocol() != Protocol.NATIVE) {
                    throw new IllegalArgumentException("xhr-streaming sessions here are native subscribers, not " + spec);
                }
                int id = sessions.size();
                // <server>/<session> as sockjs-client makes them: a number below 1,000 and a random-looking id.
                String path = "/sockjs/channel/" + (id % 1000) + "/" + sessionPrefix + "-" + id + "/";
                String query = "?token=" + spec.token() + "&channelId=" + spec.channelId();
                byte[] request = ("POST " + path + "xhr_streaming" + query + " HTTP/1.1\r\n"
                        + "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n"
                        + "Content-Length: 0\r\n"
                        + "\r\n").getBytes(StandardCharsets.US_ASCII);
                XhrStreamSession session = new XhrStreamSession(id, spec, batch, request, path + "xhr_send" + query);
                sessions.add(session);
                toOpen.add(session);
            }
            return null;
        });
        return batch;
    }

    /** Runs {@code task} on the selector thread and returns its result. */
    public <T> T call(Callable<T> task) {
        return work.call(task);
    }

    /** Waits until {@code condition}, evaluated on the selector thread after each round of I/O, holds; false on timeout. */
    public boolean awaitCondition(BooleanSupplier condition, long timeout, TimeUnit unit) throws InterruptedException {
        return work.awaitCondition(condition, timeout, unit);
    }

    @Override
    public boolean awaitPrimed(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCondition(() -> deliveries.primed() >= subscribers, timeout, unit);
    }

    @Override
    public boolean awaitDrained(int subscribers, long timeout, TimeUnit unit) throws InterruptedException {
        call(() -> {
            deliveries.reachFrom(lastSeqSent, sessions);
            return null;
        });
        return awaitCondition(() -> deliveries.reached() >= subscribers, timeout, unit);
    }

    @Override
    public long nextSeq() {
        return call(() -> lastSeqSent + 1);
    }

    @Override
    public void publishedElsewhere(long seq) {
        call(() -> lastSeqSent = Math.max(lastSeqSent, seq));
    }

    @Override
    public void startWindow() {
        call(() -> {
            deliveries.startWindow();
            reopens.reset();
            windowOpen = true;
            return null;
        });
    }

    @Override
    public WindowStats endWindow() {
        return call(() -> {
            windowOpen = false;
            return stats(deliveries.windowDeliveries(), deliveries.endWindow());
        });
    }

    /**
     * The streams re-opened in the last window: µs from reading the end of one response to reading the
     * head of the next (the request, the server's handling of it, the way back). Messages sent to a
     * session meanwhile wait that long.
     */
    public Histogram reopenLatency() {
        return call(reopens::copy);
    }

    @Override
    public WindowStats totals() {
        return call(() -> stats(deliveries.total(), 0));
    }

    /** Streaming responses received so far (the first of each session included), and TCP connections opened for them. */
    public StreamCounts streamCounts() {
        return call(() -> new StreamCounts(streamsStarted, connectionsOpened));
    }

    /** @see #streamCounts() */
    public record StreamCounts(long streams, long connections) {
    }

    private WindowStats stats(long delivered, double seconds) {
        return new WindowStats(delivered, seconds, deliveries.latency(), deliveries.complete(), deliveries.spread(),
                deliveries.gaps(), deliveries.reorders(), unexpectedCloses, errorFrames, List.copyOf(problems),
                deliveries.latencyByNode(), deliveries.windowDeliveriesByNode());
    }

    /** Closes every connection (counted as intended, not as unexpected) and stops the selector thread. */
    @Override
    public void close() {
        if (!loop.isAlive()) {
            return;
        }
        try {
            call(() -> {
                sessions.forEach(this::closeByUs);
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
                openMore();
                if (work.isEmpty()) {
                    selector.select(50);
                } else {
                    selector.selectNow();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key);
                }
                work.checkWaiters();
            } catch (IOException | RuntimeException e) {
                problem("selector loop: " + e);
            }
        }
    }

    private void openMore() {
        while (opening < maxOpening && !toOpen.isEmpty()) {
            XhrStreamSession session = toOpen.poll();
            opening++;
            session.batch.connecting(System.nanoTime());
            connect(session);
        }
    }

    /** Opens a TCP connection for the session's streams (its first, or a new one after {@code Connection: close}). */
    private void connect(XhrStreamSession session) {
        try {
            SocketChannel channel = SocketChannel.open();
            session.channel = channel;
            channel.configureBlocking(false);
            // Each source address has its own ephemeral port range, as for the WebSocket client.
            channel.bind(new InetSocketAddress(sourceAddresses.get(nextSource++ % sourceAddresses.size()), 0));
            session.key = channel.register(selector, SelectionKey.OP_CONNECT, session);
            connectionsOpened++;
            if (channel.connect(server)) {
                connected(session);
            }
        } catch (IOException e) {
            lost(session, "connect: " + e.getMessage());
        }
    }

    private void handle(SelectionKey key) {
        XhrStreamSession session = (XhrStreamSession) key.attachment();
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                if (session.channel.finishConnect()) {
                    connected(session);
                }
                return;
            }
            if (key.isWritable()) {
                session.flush();
            }
            if (key.isValid() && key.isReadable()) {
                read(session);
            }
        } catch (IOException e) {
            lost(session, "I/O: " + e.getMessage());
        }
    }

    private void connected(XhrStreamSession session) throws IOException {
        if (session.state == XhrStreamSession.State.CONNECTING) {
            session.state = XhrStreamSession.State.AWAIT_WELCOME;
        }
        session.key.interestOps(SelectionKey.OP_READ);
        session.requestStream();
    }

    private void read(XhrStreamSession session) throws IOException {
        SocketChannel channel = session.channel;
        while (true) {
            if (readBuffer.capacity() < session.carryLength + MIN_READ) {
                readBuffer = ByteBuffer.allocate(Math.max(2 * readBuffer.capacity(), session.carryLength + MIN_READ));
            }
            readBuffer.clear();
            readBuffer.put(session.carry, 0, session.carryLength);
            int rawFrom = readBuffer.position();
            int n = channel.read(readBuffer);
            if (n < 0) {
                lost(session, "server closed the TCP connection");
                return;
            }
            if (n == 0) {
                return;
            }
            readNowMicros = System.nanoTime() / 1000;
            int end = readBuffer.position();
            parser.parse(session, readBuffer.array(), rawFrom, end);
            if (!session.isOpen() || session.channel != channel) {
                return; // closed, or moved to a new connection after Connection: close
            }
            if (end < readBuffer.capacity()) {
                return; // the socket had no more for now
            }
        }
    }

    // ---------------------------------------------------------------- XhrStreamParser.Sink

    @Override
    public void streamStarted(XhrStreamSession session) {
        session.streams++;
        streamsStarted++;
        if (session.reopenNanos != 0) {
            if (windowOpen) {
                reopens.recordValue(Math.max(0, readNowMicros - session.reopenNanos / 1000));
            }
            session.reopenNanos = 0;
        }
    }

    @Override
    public void refused(XhrStreamSession session, String statusLine) {
        lost(session, "xhr_streaming answered " + statusLine);
    }

    @Override
    public void message(XhrStreamSession session, byte[] bytes, int off, int len) {
        int end = off + len;
        long seq = Ascii.numberAfterLast(bytes, off, end, SEQ_KEY);
        if (seq >= 0) {
            deliveries.topicMessage(session, seq, Ascii.numberAfterLast(bytes, off, end, T_KEY), readNowMicros,
                    subscribersReady);
            return;
        }
        if (Ascii.indexOf(bytes, off, end, TYPE_ERROR) >= 0) {
            errorFrames++;
            problem("session " + session.id + " got " + new String(bytes, off, Math.min(len, 300), StandardCharsets.UTF_8));
            return;
        }
        if (session.state == XhrStreamSession.State.AWAIT_WELCOME && Ascii.indexOf(bytes, off, end, WELCOME) >= 0) {
            session.batch.authenticated(System.nanoTime());
            session.state = XhrStreamSession.State.AWAIT_SUBSCRIBED;
            subscribe(session);
        } else if (session.state == XhrStreamSession.State.AWAIT_SUBSCRIBED && Ascii.indexOf(bytes, off, end, SUBSCRIBED) >= 0) {
            ready(session);
        }
    }

    @Override
    public void closeFrame(XhrStreamSession session, String frame) {
        lost(session, "SockJS close frame " + frame);
    }

    @Override
    public void streamEnded(XhrStreamSession session) throws IOException {
        session.reopenNanos = readNowMicros * 1000;
        if (session.closeAfterResponse) {
            // Tomcat says so after maxKeepAliveRequests responses on one connection: go on over a new one.
            session.key.cancel();
            session.closeChannel();
            connect(session);
        } else {
            session.requestStream();
        }
    }

    @Override
    public void violation(XhrStreamSession session, String why) {
        errorFrames++;
        lost(session, why);
    }

    // ---------------------------------------------------------------- the session's life

    /**
     * {@code subscribe} through {@code xhr_send} (SockJS 0.3.3: a JSON array of strings, each one
     * message). Its {@code subscribed} answer comes on the stream, possibly before the 204.
     */
    private void subscribe(XhrStreamSession session) {
        String subscribe = "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}";
        String body = "[\"" + subscribe.replace("\"", "\\\"") + "\"]";
        HttpRequest request = HttpRequest.newBuilder(base.resolve(session.sendPath))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        sends.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            work.post(() -> subscribeAnswered(session, response, failure));
        });
    }

    private void subscribeAnswered(XhrStreamSession session, HttpResponse<String> response, Throwable failure) {
        if (failure == null && response.statusCode() == 204) {
            return;
        }
        String why = failure != null ? failure.toString()
                : "HTTP " + response.statusCode() + " " + response.body().substring(0, Math.min(200, response.body().length()));
        lost(session, "xhr_send of subscribe: " + why);
    }

    private void ready(XhrStreamSession session) {
        session.state = XhrStreamSession.State.READY;
        opening--;
        subscribersReady++;
        session.batch.ready(System.nanoTime());
    }

    /** The server closed the session or its connection, or it broke. */
    private void lost(XhrStreamSession session, String why) {
        if (!session.isOpen()) {
            return;
        }
        boolean wasOpening = session.state != XhrStreamSession.State.READY;
        if (!session.closingByUs) {
            if (wasOpening) {
                problem("session " + session.id + " failed: " + why);
            } else {
                unexpectedCloses++;
                problem("session " + session.id + " lost: " + why);
            }
        }
        session.closeSocket();
        if (wasOpening) {
            opening--;
            session.batch.fail();
        } else {
            subscribersReady--;
            deliveries.left(session);
        }
    }

    private void closeByUs(XhrStreamSession session) {
        session.closingByUs = true;
        lost(session, "closed by the client");
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

}
