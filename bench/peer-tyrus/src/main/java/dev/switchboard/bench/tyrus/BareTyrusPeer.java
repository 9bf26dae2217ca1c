package dev.switchboard.bench.tyrus;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.glassfish.tyrus.server.Server;

/**
 * The floor: what a bare JSR 356 application on Tyrus/Grizzly gets, with {@link FanoutEndpoint}
 * at {@code /ws/channel}. Usage: {@code BareTyrusPeer <port>} with {@code -Dbench.jwt.secret=...};
 * prints {@code READY <port>} once listening and runs until SIGTERM.
 */
public final class BareTyrusPeer {

    private BareTyrusPeer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Server server = new Server("0.0.0.0", port, "/", Map.of(), FanoutEndpoint.class);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }));
        server.start();
        System.out.println("READY " + port);
        System.out.flush();
        stopped.await();
    }
}
