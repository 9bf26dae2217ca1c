package dev.switchboard.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Inbox} for one node. Each recipient's messages are guarded by that recipient's
 * {@link Box}; nothing holds more than one lock.
 */
public final class InMemoryInbox implements Inbox {

    /** One recipient's pending messages (insertion order) and recent dead letters. Guarded by itself. */
    private static final class Box {
        final LinkedHashMap<String, InboxEntry> pending = new LinkedHashMap<>();
        final ArrayDeque<InboxEntry> dead = new ArrayDeque<>();
    }

    private final ConcurrentHashMap<String, Box> boxes = new ConcurrentHashMap<>();
    private final RedeliveryPolicy policy;

    public InMemoryInbox(RedeliveryPolicy policy) {
        this.policy = policy;
    }

    @Override
    public List<InboxEntry> add(String recipient, Delivery delivery, Instant now) {
        Box box = boxes.computeIfAbsent(recipient, r -> new Box());
        List<InboxEntry> pushedOut = new ArrayList<>();
        synchronized (box) {
            box.pending.put(delivery.id(), new InboxEntry(delivery, 0, now, now, null));
            Iterator<InboxEntry> oldest = box.pending.values().iterator();
            while (box.pending.size() > policy.inboxSize()) {
                InboxEntry entry = oldest.next();
                oldest.remove();
                pushedOut.add(bury(box, entry, "inbox full"));
            }
        }
        return pushedOut;
    }

    @Override
    public void markSent(String recipient, String messageId, Instant now) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return;
        }
        synchronized (box) {
            box.pending.computeIfPresent(messageId, (id, entry) -> entry.sent(now, policy));
        }
    }

    @Override
    public boolean acknowledge(String recipient, String messageId) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return false;
        }
        synchronized (box) {
            return box.pending.remove(messageId) != null;
        }
    }

    @Override
    public List<InboxEntry> pending(String recipient, Instant now) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return List.of();
        }
        synchronized (box) {
            expire(box, now);
            return List.copyOf(box.pending.values());
        }
    }

    @Override
    public List<Due> due(Instant now) {
        List<Due> due = new ArrayList<>();
        for (Map.Entry<String, Box> recipient : boxes.entrySet()) {
            Box box = recipient.getValue();
            synchronized (box) {
                expire(box, now);
                for (InboxEntry entry : box.pending.values()) {
                    if (entry.attempts() > 0 && !entry.nextAttemptAt().isAfter(now)) {
                        due.add(new Due(recipient.getKey(), entry));
                    }
                }
            }
        }
        return due;
    }

    @Override
    public void kill(String recipient, String messageId, String reason) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return;
        }
        synchronized (box) {
            InboxEntry entry = box.pending.remove(messageId);
            if (entry != null) {
                bury(box, entry, reason);
            }
        }
    }

    @Override
    public List<InboxEntry> deadLetters(String recipient) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return List.of();
        }
        synchronized (box) {
            return List.copyOf(box.dead);
        }
    }

    private void expire(Box box, Instant now) {
        Instant oldestKept = now.minus(policy.inboxTtl());
        for (Iterator<InboxEntry> it = box.pending.values().iterator(); it.hasNext(); ) {
            InboxEntry entry = it.next();
            if (entry.since().isBefore(oldestKept)) {
                it.remove();
                bury(box, entry, "expired");
            }
        }
    }

    private InboxEntry bury(Box box, InboxEntry entry, String reason) {
        InboxEntry dead = entry.dead(reason);
        box.dead.addLast(dead);
        while (box.dead.size() > policy.deadLetters()) {
            box.dead.removeFirst();
        }
        return dead;
    }
}
