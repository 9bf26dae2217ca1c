package dev.switchboard.stomp;

/**
 * Memory limits of a {@link StompDecoder}, as constructor parameters with safe defaults (the Netty
 * codec-stomp lesson). A violation becomes a {@link StompDecoder.Result} with an error, never an
 * exception.
 *
 * @param maxFrameBytes      largest frame, from the first byte of the command line through the
 *                           terminating NUL (heart-beat EOLs between frames are not counted); also
 *                           the most the decoder buffers while it waits for the rest of a frame
 * @param maxHeaders         most header lines in one frame (repeats count)
 * @param maxHeaderLineBytes longest command or header line in bytes, before unescaping, without its EOL
 */
public record StompLimits(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes) {

    /** 64 KiB frames (the contract's default inbound limit), 64 headers, 8 KiB header lines. */
    public static final StompLimits DEFAULT = new StompLimits(64 * 1024, 64, 8 * 1024);

    public StompLimits {
        if (maxFrameBytes <= 0 || maxHeaders <= 0 || maxHeaderLineBytes <= 0) {
            throw new IllegalArgumentException("STOMP limits must be positive: maxFrameBytes=" + maxFrameBytes
                    + ", maxHeaders=" + maxHeaders + ", maxHeaderLineBytes=" + maxHeaderLineBytes);
        }
    }
}
