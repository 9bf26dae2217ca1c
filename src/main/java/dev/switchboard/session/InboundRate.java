package dev.switchboard.session;

import java.time.Clock;

/**
 * A session's allowance of inbound traffic: two token buckets, one of messages and one of bytes,
 * each refilled at its rate per second up to its burst. A session that empties either has sent
 * more than the allowance for longer than the burst covers, and is closed with 4029
 * (docs/security.md "Limits"). A rate of 0 turns that bucket off.
 *
 * <p>Not thread safe: inbound traffic of one session arrives one message at a time (JSR 356, and
 * the SockJS session's own ordering), so only that thread touches it.
 */
public final class InboundRate {

    /** Messages and bytes per second and their bursts; 0 turns a bucket off. */
    public record Allowance(double messagesPerSecond, double messagesBurst, double bytesPerSecond, double bytesBurst) {

        /** No limit at all. */
        public static final Allowance UNLIMITED = new Allowance(0, 0, 0, 0);
    }

    private final Allowance allowance;
    private final Clock clock;
    private double messages;
    private double bytes;
    private long updatedMillis;

    public InboundRate(Allowance allowance, Clock clock) {
        this.allowance = allowance;
        this.clock = clock;
        this.messages = Math.max(1, allowance.messagesBurst());
        this.bytes = Math.max(1, allowance.bytesBurst());
        this.updatedMillis = clock.millis();
    }

    /**
     * Takes {@code byteCount} bytes, and one message if {@code endsMessage}; false once the
     * allowance is spent (the session should close).
     */
    public boolean take(long byteCount, boolean endsMessage) {
        refill();
        boolean within = true;
        if (allowance.bytesPerSecond() > 0) {
            bytes -= byteCount;
            within = bytes >= 0;
        }
        if (endsMessage && allowance.messagesPerSecond() > 0) {
            messages -= 1;
            within &= messages >= 0;
        }
        return within;
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = Math.max(0, now - updatedMillis);
        if (elapsed == 0) {
            return;
        }
        updatedMillis = now;
        messages = Math.min(Math.max(1, allowance.messagesBurst()), messages + elapsed * allowance.messagesPerSecond() / 1000);
        bytes = Math.min(Math.max(1, allowance.bytesBurst()), bytes + elapsed * allowance.bytesPerSecond() / 1000);
    }

    /** The UTF-8 length of {@code text}, without encoding it: what a text frame's payload weighs on the wire. */
    public static int utf8Length(CharSequence text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                bytes += c < 0x800 ? 1 : (Character.isSurrogate(c) ? 1 : 2); // a surrogate pair is 4 bytes: 2 x (1 + 1)
            }
        }
        return bytes;
    }
}
