package dev.switchboard.session;

import dev.switchboard.broker.CloseCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A {@link FrameSink} that completes every send at once and records, from any thread, in order,
 * what a session wrote and how it closed the connection. Optionally it then reports the end of the
 * connection to the session on the closing thread, as Tomcat does when the server closes a
 * WebSocket session: that is the thread on which a session's {@code ended()} races its other work.
 */
final class RecordingSink implements FrameSink {

    private final ConcurrentLinkedQueue<String> frames = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CloseCode> closes = new ConcurrentLinkedQueue<>();
    /** Set once before the session is used; runs on the thread that closes. */
    private volatile Runnable onClose = () -> { };

    /** From now on, a close also ends the connection: {@code ended} runs on the closing thread. */
    RecordingSink endingWith(Runnable ended) {
        this.onClose = ended;
        return this;
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        frames.add(text);
        done.accept(null);
    }

    @Override
    public void sendBinary(byte[] data, Consumer<Throwable> done) {
        frames.add(new String(data, StandardCharsets.UTF_8));
        done.accept(null);
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
        done.accept(null);
    }

    @Override
    public void close(CloseCode code) {
        closes.add(code);
        onClose.run();
    }

    /** Snapshot of the frames written so far, in order. */
    List<String> frames() {
        return List.copyOf(frames);
    }

    /** Snapshot of the STOMP commands written so far (a frame's first line), in order. */
    List<String> stompCommands() {
        return frames.stream().map(frame -> frame.substring(0, Math.max(0, frame.indexOf('\n')))).toList();
    }

    /** Snapshot of the close codes the session closed the connection with. */
    List<CloseCode> closes() {
        return List.copyOf(closes);
    }
}
