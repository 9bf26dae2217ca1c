package dev.switchboard.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port that forwards every connection to {@code 127.0.0.1:target}
 * and can drop all current connections abruptly ({@link #dropAll()}: a TCP reset on both sides,
 * as a broken network or a crashed middlebox would), to test clients that must reconnect. Its
 * target can be switched ({@link #forwardTo}), as a load balancer takes a dead node out of its pool.
 */
final class DroppingProxy implements AutoCloseable {

    /** One proxied connection: the client's socket and ours to the server. */
    private record Link(Socket client, Socket server) {
        void reset() {
            abort(client);
            abort(server);
        }
    }

    private final ServerSocket listener;
    /** Where new connections go; open ones stay where they are. */
    private volatile int target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    DroppingProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Sends every connection accepted from now on to {@code 127.0.0.1:port}; open ones stay as they are. */
    void forwardTo(int port) {
        target = port;
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Resets every open connection (SO_LINGER 0, then close) and returns how many there were. */
    int dropAll() {
        int dropped = 0;
        for (Link link : links) {
            if (links.remove(link)) {
                link.reset();
                dropped++;
            }
        }
        return dropped;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptor.join(5_000);
        dropAll();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Link link = new Link(client, server);
                links.add(link);
                pump(link, client, server, "up");
                pump(link, server, client, "down");
            } catch (IOException e) {
                abort(client);
            }
        }
    }

    /** Copies {@code from} to {@code to} on a thread of its own until either side ends. */
    private void pump(Link link, Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed: the link is over
            } finally {
                if (links.remove(link)) {
                    link.reset();
                }
            }
        }, "proxy-" + direction + "-" + from.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to close
        }
    }
}
