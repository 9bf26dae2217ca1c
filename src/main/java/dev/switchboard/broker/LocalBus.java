package dev.switchboard.broker;

/**
 * The {@link ClusterBus} of a single node: there is no other node to reach, so it follows nothing,
 * sends nothing and is always up. Stateless and thread safe.
 */
public final class LocalBus implements ClusterBus {

    @Override
    public void start(Inbound inbound) {
        // Nothing ever arrives from other nodes.
    }

    @Override
    public void follow(Interest interest, String name) {
        // The in-memory topic log needs no announcements: the broker delivers what it appends.
    }

    @Override
    public void unfollow(Interest interest, String name) {
        // Nothing was followed.
    }

    @Override
    public int send(Delivery delivery) {
        return 0; // no other node holds sessions
    }

    @Override
    public void disconnect(String nodeId, String sessionId, CloseCode code) {
        // Sessions of this node are closed by the broker itself; there is no other node.
    }

    @Override
    public boolean isUp() {
        return true;
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
