package dev.switchboard.bench.sockjs;

/** How the subscribers of one side of the comparison receive their messages. */
enum Transport {
    /** {@code /ws/channel}, as the main suite's fan-out. */
    WEBSOCKET("WebSocket", "bench-ws"),
    /** {@code /sockjs/channel/<server>/<session>/xhr_streaming}, subscribe through {@code xhr_send}. */
    XHR_STREAMING("xhr-streaming", "bench-xhr");

    final String label;
    /** Each transport's subscribers follow their own topic: a publication reaches one side only. */
    final String topic;

    Transport(String label, String topic) {
        this.label = label;
        this.topic = topic;
    }
}
