package dev.switchboard.stomp;

import java.util.Optional;

/** The STOMP protocol versions spoken, newest last. */
public enum StompVersion {
    V1_0("1.0"), V1_1("1.1"), V1_2("1.2");

    private final String wire;

    StompVersion(String wire) {
        this.wire = wire;
    }

    /** As in {@code accept-version} and {@code version} headers. */
    public String wire() {
        return wire;
    }

    public static Optional<StompVersion> fromWire(String text) {
        for (StompVersion version : values()) {
            if (version.wire.equals(text)) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }
}
