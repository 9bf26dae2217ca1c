package dev.switchboard.it;

import jakarta.websocket.DeploymentException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code contenders} clients (users {@code racer-0}, {@code racer-1}, ...) connecting to one
 * channel at the same instant, each from its own thread released by one barrier.
 */
final class ConnectRace implements AutoCloseable {

    /** One contender's result: its open client, or the HTTP status that refused it. */
    record Outcome(ChannelClient client, int refusalStatus) {
        boolean opened() {
            return client != null;
        }
    }

    private final List<Outcome> outcomes = new ArrayList<>();

    private ConnectRace() {
    }

    static ConnectRace run(ServerProcess server, String channelId, int contenders) throws Exception {
        ConnectRace race = new ConnectRace();
        CyclicBarrier start = new CyclicBarrier(contenders);
        ExecutorService threads = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String token = TestTokens.token("racer-" + i);
                futures.add(threads.submit(() -> {
                    start.await();
                    try {
                        return new Outcome(ChannelClient.connect(server, token, channelId), 0);
                    } catch (DeploymentException e) {
                        return new Outcome(null, ChannelClient.refusalStatusOf(e));
                    }
                }));
            }
            for (Future<Outcome> future : futures) {
                race.outcomes.add(future.get());
            }
            return race;
        } finally {
            threads.shutdownNow();
        }
    }

    List<Outcome> outcomes() {
        return outcomes;
    }

    List<ChannelClient> openedClients() {
        return outcomes.stream().filter(Outcome::opened).map(Outcome::client).toList();
    }

    @Override
    public void close() throws Exception {
        for (ChannelClient client : openedClients()) {
            client.close();
        }
    }
}
