package dev.switchboard.stomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A frame's headers in wire order. A header may repeat; {@link #get} returns the first
 * occurrence, as STOMP 1.2 requires ("Repeated Header Entries"). Immutable.
 */
public final class StompHeaders {

    public static final StompHeaders EMPTY = new StompHeaders(List.of());

    private final List<Map.Entry<String, String>> entries;

    private StompHeaders(List<Map.Entry<String, String>> entries) {
        this.entries = entries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (Map.Entry<String, String> entry : entries) {
            if (entry.getKey().equals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** Every header in wire order, repeats included. */
    public List<Map.Entry<String, String>> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    /** A builder starting from these headers. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.entries.addAll(entries);
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StompHeaders headers && headers.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    /** Collects headers in order. Not thread safe. */
    public static final class Builder {
        private final List<Map.Entry<String, String>> entries = new ArrayList<>();

        /** Appends a header (a repeat keeps the earlier value in force). */
        public Builder add(String name, String value) {
            entries.add(Map.entry(name, value));
            return this;
        }

        /** Appends the header only if {@code value} is not null. */
        public Builder addIfPresent(String name, String value) {
            return value == null ? this : add(name, value);
        }

        public StompHeaders build() {
            return new StompHeaders(List.copyOf(entries));
        }
    }
}
