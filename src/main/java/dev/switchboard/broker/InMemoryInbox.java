package dev.switchboard.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Inbox} for one node. Each recipient's messages are guarded by that recipient's
 * {@link Box}; nothing holds more than one lock.
 *
 * <p>Nothing grows forever: {@link #claimDue} (called every fraction of a second) forgets a recipient
 * once it has nothing pending and no dead letter younger than the inbox TTL. A box is removed from
 * the map under its own lock after being marked retired; {@link #add} retries on a retired box, so
 * a message never lands in a box that is no longer in the map. Pending messages and dead letters
 * count against the {@link MemoryBudget}; see {@link #shed()} for what happens when it is exceeded.
 */
public final class InMemoryInbox implements Inbox {

    /** One recipient's pending messages (insertion order) and recent dead letters. Guarded by itself. */
    private static final class Box {
        final LinkedHashMap<String, InboxEntry> pending = new LinkedHashMap<>();
        final ArrayDeque<InboxEntry> dead = new ArrayDeque<>();
        /** When the last dead letter was added; null if none ever was. */
        Instant lastBuried;
        /** Set, under the lock, when the box is removed from the map; it must not be used then. */
        boolean retired;
    }

    private final ConcurrentHashMap<String, Box> boxes = new ConcurrentHashMap<>();
    private final RedeliveryPolicy policy;
    private final MemoryBudget budget;

    /** With a budget of its own that is never exceeded (tests, tools). */
    public InMemoryInbox(RedeliveryPolicy policy) {
        this(policy, new MemoryBudget(Long.MAX_VALUE));
    }

    /** Reporting what it holds to {@code budget}, shared with the topic history. */
    public InMemoryInbox(RedeliveryPolicy policy, MemoryBudget budget) {
        this.policy = policy;
        this.budget = budget;
    }

    @Override
    public List<InboxEntry> add(String recipient, Delivery delivery, Instant now) {
        while (true) {
            Box box = boxes.computeIfAbsent(recipient, r -> new Box());
            List<InboxEntry> pushedOut = new ArrayList<>();
            synchronized (box) {
                if (box.retired) {
                    continue; // forgotten since we looked it up: take the recipient's new box
                }
                InboxEntry previous = box.pending.put(delivery.id(), new InboxEntry(delivery, 0, now, now, null));
                if (previous == null) {
                    budget.inboxChanged(MemoryBudget.sizeOf(delivery), 1);
                }
                Iterator<InboxEntry> oldest = box.pending.values().iterator();
                while (box.pending.size() > policy.inboxSize()) {
                    InboxEntry entry = oldest.next();
                    oldest.remove();
                    pushedOut.add(bury(box, entry, "inbox full", now));
                }
            }
            return pushedOut;
        }
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
            InboxEntry entry = box.pending.remove(messageId);
            if (entry != null) {
                budget.inboxChanged(-MemoryBudget.sizeOf(entry.delivery()), -1);
            }
            return entry != null;
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
    public List<Due> claimDue(Instant now, java.time.Duration claimFor) {
        List<Due> due = new ArrayList<>();
        Instant oldestDeadKept = now.minus(policy.inboxTtl());
        for (Map.Entry<String, Box> recipient : boxes.entrySet()) {
            Box box = recipient.getValue();
            synchronized (box) {
                expire(box, now);
                for (Map.Entry<String, InboxEntry> pending : box.pending.entrySet()) {
                    InboxEntry entry = pending.getValue();
                    if (entry.attempts() > 0 && !entry.nextAttemptAt().isAfter(now)) {
                        due.add(new Due(recipient.getKey(), entry));
                        pending.setValue(entry.claimedUntil(now.plus(claimFor)));
                    }
                }
                if (!box.retired && box.pending.isEmpty()
                        && (box.lastBuried == null || box.lastBuried.isBefore(oldestDeadKept))) {
                    dropDeadLetters(box, box.dead.size());
                    box.retired = true;
                    boxes.remove(recipient.getKey(), box);
                }
            }
        }
        return due;
    }

    @Override
    public void kill(String recipient, String messageId, String reason, Instant now) {
        Box box = boxes.get(recipient);
        if (box == null) {
            return;
        }
        synchronized (box) {
            InboxEntry entry = box.pending.remove(messageId);
            if (entry != null) {
                bury(box, entry, reason, now);
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

    /** Recipients with a box (something pending, or dead letters younger than the inbox TTL). */
    int recipientCount() {
        return boxes.size();
    }

    /**
     * Dead letters go first (they are kept only for inspection), then the oldest pending messages
     * across recipients, by the time they were accepted; those are counted as given up but not
     * kept as dead letters, which would hold the very memory being freed.
     */
    @Override
    public int shed() {
        for (Box box : boxes.values()) {
            if (!budget.aboveLowWater()) {
                return 0;
            }
            synchronized (box) {
                dropDeadLetters(box, box.dead.size());
            }
        }
        // As for topic history: always take from the recipient whose oldest message is oldest.
        record Oldest(Instant since, Box box) {
        }
        PriorityQueue<Oldest> heads = new PriorityQueue<>(Comparator.comparing(Oldest::since));
        for (Box box : boxes.values()) {
            synchronized (box) {
                if (!box.pending.isEmpty()) {
                    heads.add(new Oldest(box.pending.values().iterator().next().since(), box));
                }
            }
        }
        int givenUp = 0;
        while (budget.aboveLowWater() && !heads.isEmpty()) {
            Box box = heads.poll().box();
            synchronized (box) {
                Iterator<InboxEntry> oldest = box.pending.values().iterator();
                if (oldest.hasNext()) {
                    InboxEntry entry = oldest.next();
                    oldest.remove();
                    budget.inboxChanged(-MemoryBudget.sizeOf(entry.delivery()), -1);
                    givenUp++;
                }
                if (oldest.hasNext()) {
                    heads.add(new Oldest(box.pending.values().iterator().next().since(), box));
                }
            }
        }
        return givenUp;
    }

    private void expire(Box box, Instant now) {
        Instant oldestKept = now.minus(policy.inboxTtl());
        for (Iterator<InboxEntry> it = box.pending.values().iterator(); it.hasNext(); ) {
            InboxEntry entry = it.next();
            if (entry.since().isBefore(oldestKept)) {
                it.remove();
                bury(box, entry, "expired", now);
            }
        }
    }

    /** Moves a pending entry (already removed from {@code pending}) to the dead letters. */
    private InboxEntry bury(Box box, InboxEntry entry, String reason, Instant now) {
        InboxEntry dead = entry.dead(reason);
        box.dead.addLast(dead);
        box.lastBuried = now;
        dropDeadLetters(box, box.dead.size() - policy.deadLetters());
        return dead;
    }

    private void dropDeadLetters(Box box, int count) {
        for (int i = 0; i < count; i++) {
            budget.inboxChanged(-MemoryBudget.sizeOf(box.dead.removeFirst().delivery()), -1);
        }
    }
}
