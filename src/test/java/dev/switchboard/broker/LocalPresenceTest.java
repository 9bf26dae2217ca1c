package dev.switchboard.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The presence contract on a single node's registries. */
class LocalPresenceTest extends PresenceContract {

    private static final String NODE = "node-a";

    private final SessionRegistry sessions = new InMemorySessionRegistry();
    private final SubscriptionRegistry subscriptions = new InMemorySubscriptionRegistry();
    private final LocalPresence presence = new LocalPresence(sessions, subscriptions, NODE);
    private final Map<String, Subscriber> open = new ConcurrentHashMap<>();

    @Override
    protected Presence presence() {
        return presence;
    }

    @Override
    protected String nodeId() {
        return NODE;
    }

    @Override
    protected SessionRecord open(String sessionId, String user, String channelId) {
        Subscriber session = new RecordingSubscriber(sessionId, user, channelId);
        open.put(sessionId, session);
        sessions.add(session);
        SessionRecord record = SessionRecord.of(session, NODE);
        presence.opened(record);
        return record;
    }

    @Override
    protected void close(SessionRecord session) {
        sessions.remove(open.remove(session.sessionId()));
        presence.closed(session);
    }

    @Override
    protected void join(String topic, SessionRecord session) {
        subscriptions.subscribe(topic, open.get(session.sessionId()));
        presence.joined(topic, session.user());
    }

    @Override
    protected void leave(String topic, SessionRecord session) {
        subscriptions.unsubscribe(topic, open.get(session.sessionId()));
        presence.left(topic, session.user());
    }
}
