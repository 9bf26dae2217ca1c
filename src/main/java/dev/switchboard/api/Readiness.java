package dev.switchboard.api;

/** Whether this node takes traffic: false once it has started draining for shutdown. Thread safe. */
public final class Readiness {
    private volatile boolean draining;

    public void startDraining() {
        draining = true;
    }

    public boolean isReady() {
        return !draining;
    }
}
