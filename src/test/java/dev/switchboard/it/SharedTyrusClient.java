package dev.switchboard.it;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * The one Tyrus client of the test JVM, shared by every hand-driven test peer.
 *
 * <p>Tyrus shuts a client's executors down when its last connection closes, and that check races
 * with a connection being opened at the same moment (eclipse-ee4j/tyrus issue 640): the new
 * session's idle-timeout task is then rejected with RejectedExecutionException. This client hands
 * Tyrus executors that live as long as the test JVM and ignores the shutdown. The transport runs on
 * Tyrus's shared container, kept for the whole run rather than stopped after 30 idle seconds.
 */
final class SharedTyrusClient {

    static final ClientManager INSTANCE = create();

    private SharedTyrusClient() {
    }

    private static ClientManager create() {
        ThreadFactory daemons = task -> {
            Thread thread = new Thread(task, "test-tyrus-client");
            thread.setDaemon(true);
            return thread;
        };
        ExecutorService workers = Executors.newCachedThreadPool(daemons);
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, daemons);
        ClientManager client = new ClientManager() {
            @Override
            public ExecutorService getExecutorService() {
                return workers;
            }

            @Override
            public ScheduledExecutorService getScheduledExecutorService() {
                return timers;
            }

            @Override
            public void shutdown() {
                // The executors belong to the test JVM; see the class comment.
            }
        };
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        client.getProperties().put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, 3600);
        return client;
    }
}
