package dev.switchboard.bench.client;

import java.nio.charset.StandardCharsets;

/** Byte-level helpers for scanning and writing ASCII in place, without allocating. */
public final class Ascii {

    private Ascii() {
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Index of {@code needle} in {@code hay[from, to)}, or -1. Frames are small: a naive scan is enough. */
    public static int indexOf(byte[] hay, int from, int to, byte[] needle) {
        int last = to - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Index of the last {@code needle} in {@code hay[from, to)}, or -1. */
    public static int lastIndexOf(byte[] hay, int from, int to, byte[] needle) {
        outer:
        for (int i = to - needle.length; i >= from; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The non-negative decimal number right after the LAST {@code key} in {@code hay[from, to)},
     * or -1. The benchmark's fields sit near the end of every frame (the {@code data} of a
     * native message comes before only {@code "ts"}; a STOMP body is last), so scanning
     * backwards reads a fraction of the frame.
     */
    public static long numberAfterLast(byte[] hay, int from, int to, byte[] key) {
        int at = lastIndexOf(hay, from, to, key);
        return at < 0 ? -1 : digitsAt(hay, at + key.length, to);
    }

    public static boolean startsWith(byte[] hay, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (hay[from + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The non-negative decimal number right after {@code key} (e.g. {@code "seq":}) in
     * {@code hay[from, to)}, or -1 if the key or the digits are missing.
     */
    public static long numberAfter(byte[] hay, int from, int to, byte[] key) {
        int at = indexOf(hay, from, to, key);
        return at < 0 ? -1 : digitsAt(hay, at + key.length, to);
    }

    private static long digitsAt(byte[] hay, int start, int to) {
        int i = start;
        while (i < to && hay[i] == ' ') {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < to && hay[i] >= '0' && hay[i] <= '9') {
            value = value * 10 + (hay[i] - '0');
            i++;
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    /** Writes {@code value} (>= 0) in decimal at {@code at}; returns the index after the last digit. */
    public static int putLong(byte[] out, int at, long value) {
        if (value == 0) {
            out[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long rest = value; rest > 0; rest /= 10) {
            digits++;
        }
        int end = at + digits;
        for (int i = end - 1; value > 0; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }

    public static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }
}
