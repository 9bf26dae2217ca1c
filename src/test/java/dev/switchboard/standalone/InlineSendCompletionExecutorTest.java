package dev.switchboard.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.SendHandler;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InlineSendCompletionExecutorTest {

    private final List<Runnable> pooled = new ArrayList<>();
    private final InlineSendCompletionExecutor executor = new InlineSendCompletionExecutor(pooled::add);

    @Test
    void aSendCompletionOnADrainThreadRunsThereBeforeExecuteReturns() throws Exception {
        AtomicReference<String> ranOn = new AtomicReference<>();
        Runnable completion = tomcatSendCompletion(result -> ranOn.set(Thread.currentThread().getName()));

        runOnThread("switchboard-drain-1", () -> executor.execute(completion));

        assertThat(ranOn.get()).isEqualTo("switchboard-drain-1");
        assertThat(pooled).isEmpty();
    }

    @Test
    void aSendCompletionOnAnyOtherThreadGoesToThePool() throws Exception {
        AtomicReference<String> ranOn = new AtomicReference<>();
        Runnable completion = tomcatSendCompletion(result -> ranOn.set(Thread.currentThread().getName()));

        runOnThread("http-nio-8080-Poller", () -> executor.execute(completion));

        assertThat(ranOn.get()).isNull();
        assertThat(pooled).containsExactly(completion);
    }

    @Test
    void otherTasksOnADrainThreadGoToThePool() throws Exception {
        Runnable socketProcessing = () -> { };

        runOnThread("switchboard-drain-1", () -> executor.execute(socketProcessing));

        assertThat(pooled).containsExactly(socketProcessing);
    }

    @Test
    void aCompletionStartedByAnInlineCompletionGoesToThePoolSoTheStackStaysFlat() throws Exception {
        List<String> completed = new ArrayList<>();
        Runnable inner = tomcatSendCompletion(result -> completed.add("inner"));
        Runnable outer = tomcatSendCompletion(result -> {
            completed.add("outer");
            executor.execute(inner); // a message written in parts: each part's completion writes the next
        });

        Runnable next = tomcatSendCompletion(result -> completed.add("next send"));

        runOnThread("switchboard-drain-1", () -> {
            executor.execute(outer);
            executor.execute(next);
        });

        assertThat(completed).containsExactly("outer", "next send");
        assertThat(pooled).containsExactly(inner);
    }

    /** Tomcat's own completion task (private), as its WebSocket server hands it to the executor. */
    private static Runnable tomcatSendCompletion(SendHandler handler) throws Exception {
        Class<?> type = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable");
        Constructor<?> constructor = type.getDeclaredConstructor(SendHandler.class, Throwable.class);
        constructor.setAccessible(true);
        return (Runnable) constructor.newInstance(handler, null);
    }

    private static void runOnThread(String name, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(body, name);
        thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        thread.start();
        thread.join(10_000);
        assertThat(thread.isAlive()).as("thread finished").isFalse();
        assertThat(failure.get()).isNull();
    }
}
