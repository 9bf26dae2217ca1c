package dev.switchboard.bench.cluster;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Catch-up after a Redis restart: two nodes on one Redis, N subscribers split 50/50, a publisher
 * posting through node 1's HTTP API at a steady rate the whole time ({@link ProbePublisher}).
 * Redis gets SIGKILL, stays dead {@code redisDownSeconds} (less than the 10 s node lease, so no
 * node fences itself), and is started again on the same port, empty (no persistence). "Up" is the
 * first PING answered. From then: until the first publication begun after "up" (or a later one)
 * reached every subscriber of each node, and until {@code /health/ready} is 200 on each node.
 * Redis lost the topic's log, so each node closes its subscribers with 4010 (messages lost;
 * resubscribe); the load generator's subscribers reconnect to the same node and subscribe again
 * at once, as a client does, and "reached every subscriber" counts the reconnected ones.
 */
final class RedisRestartScenario {

    /**
     * One restart.
     *
     * @param upAfterKill      s from the SIGKILL to the first PONG of the new Redis (down time plus start-up)
     * @param reachedByNode    s from "up" until every subscriber of node i had a publication begun after "up"
     * @param firstAccepted    s from "up" to the start of the first publication node 1 accepted (202) again
     * @param notReadyByNode   s from the kill until node i's /health/ready first answered other than 200 (NaN: never)
     * @param readyByNode      s from "up" until node i's /health/ready was 200 for good (NaN: not within 30 s)
     * @param resubscribed     subscribers the nodes closed with 4010 (messages lost; resubscribe) and that reconnected
     * @param lastClosed       s from "up" to the last such close (NaN: none)
     * @param lastResubscribed s from "up" until the last of them was subscribed again (NaN: none)
     * @param refusedReconnects reconnect attempts refused by a node (retried every 100 ms)
     * @param dropped          of {@code resubscribed}, connections a node dropped without a close frame
     * @param lastRefusedReconnect s from "up" to the last reconnect a node refused (NaN: none)
     * @param lastRefusedPublication s from "up" to the start of the last publication node 1 did not accept (NaN: none)
     */
    record Restart(int repetition, double upAfterKill, double[] reachedByNode, double firstAccepted,
                   double[] notReadyByNode, double[] readyByNode, int resubscribed, double lastClosed,
                   double lastResubscribed, int refusedReconnects, int dropped, double lastRefusedReconnect,
                   double lastRefusedPublication) {

        double reachedBoth() {
            double max = 0;
            for (double s : reachedByNode) {
                max = Math.max(max, s);
            }
            return max;
        }
    }

    /** The whole part's delivery checks. */
    record Outcome(long gaps, long reorders, int unexpectedCloses, int subscribers, Map<Integer, Long> publishStatuses,
                   int resubscribed, int dropped) {
    }

    private static final long WAIT_SECONDS = 30;

    private final ClusterContext context;

    RedisRestartScenario(ClusterContext context) {
        this.context = context;
    }

    Outcome run(List<Restart> restarts, List<String> problems) throws Exception {
        int n = context.config().subscribers();
        List<ConnectionSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, context.tokens().token("sub-" + i), "sub-" + i, i % 2));
        }
        try (Topology topology = Topology.onRedis(context.launcher(), context.config().redisServer(),
                context.config().redisCpus(), "cluster-restart", 2);
             LoadClient client = new LoadClient(topology.addresses(), ClusterContext.TOPIC, context.sourceAddresses())) {
            ConnectionBatch batch = client.open(specs, context.maxInFlight());
            if (!batch.await(context.settleSeconds(), TimeUnit.SECONDS) || batch.ready() < n) {
                problems.add("restart: " + batch.ready() + " of " + n + " connections ready");
                return new Outcome(0, 0, 0, n, Map.of(), 0, 0);
            }
            int[] perNode = client.subscribersReadyByNode();
            // A node that finds a topic's messages lost in Redis closes its subscribers with 4010; a
            // client reconnects and subscribes again (docs: CloseCode.STREAM_GAP), and so do ours.
            // A connection dropped without a close frame is reconnected too, as any client does; counted apart.
            client.reconnectOn(java.util.Set.of(4010, -1));
            ProbePublisher publisher = new ProbePublisher(context.http(), topology.addresses().get(0),
                    context.config().restartRate(), client.nextSeq());
            try {
                if (!client.awaitPrimed(n, context.settleSeconds(), TimeUnit.SECONDS)) {
                    problems.add("restart: not every subscriber received a message");
                    return new Outcome(0, 0, 0, n, Map.of(), 0, 0);
                }
                for (int rep = 1; rep <= context.config().restarts(); rep++) {
                    ClusterFanout.pause(1);
                    if (!allReached(client.awaitReachedByNode(publisher.lastAcceptedSeq(), perNode, context.settleSeconds(),
                            TimeUnit.SECONDS))) {
                        problems.add("restart " + rep + ": not every subscriber had the last accepted publication before the kill");
                    }
                    restarts.add(once(rep, topology, client, publisher, perNode, problems));
                }
                ClusterFanout.pause(1);
            } finally {
                publisher.close();
                client.publishedElsewhere(publisher.startedSeq());
            }
            if (!allReached(client.awaitReachedByNode(publisher.lastAcceptedSeq(), perNode, context.settleSeconds(), TimeUnit.SECONDS))) {
                problems.add("restart: not every subscriber had the last accepted publication at the end");
            }
            WindowStats totals = client.totals();
            problems.addAll(topology.deadNodes(List.of()));
            if (totals.unexpectedCloses() > 0 || totals.errorFrames() > 0) {
                totals.problems().stream().limit(3).forEach(p -> problems.add("restart: " + p));
            }
            return new Outcome(totals.gaps(), totals.reorders(), totals.unexpectedCloses(), n, publisher.statuses(),
                    client.reconnects().count(), client.reconnects().dropped());
        }
    }

    private Restart once(int rep, Topology topology, LoadClient client, ProbePublisher publisher, int[] perNode,
                         List<String> problems) throws Exception {
        List<InetSocketAddress> nodes = topology.addresses();
        ReadyWatch watch = new ReadyWatch(context.http(), nodes, context.config().probeMillis());
        try {
            ClusterFanout.pause(0.3); // the watch's first polls: both ready
            LoadClient.Reconnects before = client.reconnects();
            long killedAt = System.nanoTime();
            topology.killRedis();
            ClusterFanout.pause(context.config().redisDownSeconds());
            CompletableFuture<Long> up = CompletableFuture.supplyAsync(() -> firstPong(topology.redisPort()));
            topology.restartRedis(rep);
            long upAt = up.get(WAIT_SECONDS, TimeUnit.SECONDS);
            long target = publisher.startedSeq() + 1; // begun after "up"
            long[] at = client.awaitReachedByNode(target, perNode, WAIT_SECONDS, TimeUnit.SECONDS);
            double[] reached = new double[at.length];
            for (int i = 0; i < at.length; i++) {
                reached[i] = at[i] < 0 ? Double.NaN : (at[i] - upAt) / 1e9;
                if (at[i] < 0) {
                    problems.add("restart " + rep + ": node " + (i + 1) + "'s subscribers did not get a publication within "
                            + WAIT_SECONDS + " s of Redis being up");
                }
            }
            double[] ready = watch.readyAfter(upAt, WAIT_SECONDS);
            LoadClient.Reconnects after = client.reconnects();
            int resubscribed = after.count() - before.count();
            Map.Entry<Long, ProbePublisher.Attempt> accepted = publisher.firstAcceptedFrom(target);
            long lastRefused = publisher.lastRefusedStartFrom(target);
            double firstAccepted = accepted == null ? Double.NaN : (accepted.getValue().startedNanos() - upAt) / 1e9;
            return new Restart(rep, (upAt - killedAt) / 1e9, reached, firstAccepted, watch.notReadyAfter(killedAt), ready,
                    resubscribed, resubscribed > 0 ? (after.lastClosedNanos() - upAt) / 1e9 : Double.NaN,
                    resubscribed > 0 ? (after.lastReadyNanos() - upAt) / 1e9 : Double.NaN,
                    after.refusals() - before.refusals(), after.dropped() - before.dropped(),
                    after.refusals() > before.refusals() ? (after.lastRefusalNanos() - upAt) / 1e9 : Double.NaN,
                    lastRefused < 0 ? Double.NaN : (lastRefused - upAt) / 1e9);
        } finally {
            watch.close();
        }
    }

    private static boolean allReached(long[] at) {
        for (long t : at) {
            if (t < 0) {
                return false;
            }
        }
        return true;
    }

    /** Polls PING every millisecond until Redis answers PONG; the System.nanoTime of that answer. */
    private static long firstPong(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        byte[] answer = new byte[16];
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(1_000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                int read = in.read(answer);
                if (read > 0 && new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not up yet
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("Redis did not answer PING within " + WAIT_SECONDS + " s");
    }

    /** Polls /health/ready of every node on its own thread and keeps each change of status. */
    private static final class ReadyWatch implements AutoCloseable {

        private record Change(long nanos, int node, int status) {
        }

        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private final int nodes;
        private volatile boolean running = true;

        ReadyWatch(Http http, List<InetSocketAddress> addresses, int periodMillis) {
            this.nodes = addresses.size();
            this.thread = new Thread(() -> {
                int[] last = new int[addresses.size()];
                while (running) {
                    for (int i = 0; i < addresses.size(); i++) {
                        int status = http.ready(addresses.get(i));
                        if (status != last[i]) {
                            changes.add(new Change(System.nanoTime(), i, status));
                            last[i] = status;
                        }
                    }
                    try {
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "ready-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** s from {@code since} until each node first answered other than 200; NaN if it never did. */
        double[] notReadyAfter(long since) {
            double[] at = new double[nodes];
            java.util.Arrays.fill(at, Double.NaN);
            for (Change change : changes) {
                if (change.nanos >= since && change.status != 200 && Double.isNaN(at[change.node])) {
                    at[change.node] = (change.nanos - since) / 1e9;
                }
            }
            return at;
        }

        /**
         * Waits until every node answers 200 again and returns, per node, s from {@code since} to its
         * last change to 200 (0 if it never left 200 after {@code since}); NaN for a node not ready in time.
         */
        double[] readyAfter(long since, long waitSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            double[] at = new double[nodes];
            while (true) {
                boolean all = true;
                for (int i = 0; i < nodes; i++) {
                    Change last = null;
                    for (Change change : changes) {
                        if (change.node == i) {
                            last = change;
                        }
                    }
                    if (last == null || last.status != 200) {
                        all = false;
                        at[i] = Double.NaN;
                    } else {
                        at[i] = Math.max(0, (last.nanos - since) / 1e9);
                    }
                }
                if (all || System.nanoTime() > deadline) {
                    return at;
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
