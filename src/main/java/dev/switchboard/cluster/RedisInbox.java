package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.Inbox;
import dev.switchboard.broker.InboxEntry;
import dev.switchboard.broker.RedeliveryPolicy;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link Inbox} kept in Redis and shared by every node: a message added on one node is pending,
 * acknowledged, claimed or dead-lettered for all of them. Same semantics as the in-memory inbox
 * ({@code InMemoryInbox}); every operation is one command or one Lua script, so it is atomic
 * across nodes. In particular {@link #claimDue} hands each due message to exactly one of the
 * nodes claiming at the same time, and {@link #acknowledge} is true for exactly one caller.
 *
 * <p><b>Layout</b> (names in {@link RedisKeys}; times are epoch milliseconds of the caller's
 * {@code now}, never Redis's clock, so that all nodes and the tests agree on what is due):
 * <ul>
 *   <li>{@code sb:inbox:{r}}: hash, message id to {@code attempts:nextAttemptMs:sinceMs:delivery},
 *       the delivery as {@link DeliveryCodec} JSON (one line: JSON escapes every newline);</li>
 *   <li>{@code sb:inbox:{r}:order}: sorted set of the pending ids scored 1, 2, 3… in the order
 *       they were accepted (oldest first; a score one above the newest is taken on add);</li>
 *   <li>{@code sb:inbox:{r}:dead}: list of the last {@link RedeliveryPolicy#deadLetters()} dead
 *       letters, oldest first, each {@code attempts:sinceMs:delivery\nreason};</li>
 *   <li>{@code sb:inbox-due}: one sorted set for all recipients, member {@code r\nid}, score the
 *       next attempt time, holding only messages sent at least once (attempts &gt; 0): what
 *       {@link #claimDue} scans.</li>
 * </ul>
 *
 * <p><b>Nothing lives forever.</b> Each write sets a recipient's keys to expire after the inbox
 * TTL ({@code PEXPIRE}, Redis's own clock), so a recipient nobody writes to vanishes with its
 * dead letters: that is this implementation's way to "forget recipients with nothing pending".
 * Pending messages older than the TTL by the caller's clock become dead letters when
 * {@link #pending} or {@link #claimDue} meets them; one that nobody meets goes with its key. A
 * member of the due set whose entry is gone (acknowledged elsewhere, expired with its key) is
 * removed by the next {@link #claimDue} that meets it.
 *
 * <p><b>Memory and durability.</b> {@link #shed()} frees nothing and returns 0: Redis memory is
 * not this process's heap. The operator bounds it with Redis's {@code maxmemory}; with
 * {@code maxmemory-policy noeviction} a full Redis refuses writes, which callers see as
 * {@link ClusterUnavailableException}, whereas an evicting policy would silently drop messages
 * promised to be kept until acknowledged (every key here has a TTL, so even {@code volatile-*}
 * policies take them). Inboxes survive a Redis restart or crash only if Redis persists its data:
 * durable inboxes need AOF ({@code appendonly yes}, and {@code appendfsync everysec} or
 * {@code always} for how much may be lost).
 *
 * <p><b>Deployment.</b> {@link #claimDue} touches the keys of every recipient it finds due, named
 * inside the script, so this needs a single Redis primary (standalone or Sentinel-managed, as
 * {@link RedisConnections} connects to), not Redis Cluster.
 *
 * <p><b>Failures.</b> A Redis error or timeout throws {@link ClusterUnavailableException}; a
 * script either ran entirely or not at all, but after a timeout the caller cannot tell which.
 * Thread safe: it holds no state but the shared connection.
 */
public final class RedisInbox implements Inbox {

    /**
     * Due messages looked at per {@link #claimDue} script, so that one script never holds Redis for
     * long; {@link #claimDue} runs it again while batches come back full.
     */
    static final int CLAIM_BATCH = 500;

    /** {@link RedeliveryPolicy#backoffAfter} stops growing after this attempt (its shift is capped at 30). */
    private static final int BACKOFF_STEPS = 31;

    /** Shared by the scripts: the entry format and how a pending message becomes a dead letter. */
    private static final String PRELUDE = """
            -- entry: attempts:nextAttemptMs:sinceMs:deliveryJson
            local function parse(value)
              return string.match(value, '^(%d+):(%-?%d+):(%-?%d+):(.*)$')
            end
            -- Removes a pending message everywhere and keeps it as a dead letter; returns the letter.
            local function bury(inbox, order, dead, due, recipient, id, reason, ttl, keep)
              local value = redis.call('HGET', inbox, id)
              redis.call('HDEL', inbox, id)
              redis.call('ZREM', order, id)
              redis.call('ZREM', due, recipient .. '\\n' .. id)
              if not value then
                return false
              end
              local attempts, _, since, json = parse(value)
              local letter = attempts .. ':' .. since .. ':' .. json .. '\\n' .. reason
              if keep > 0 then
                redis.call('RPUSH', dead, letter)
                redis.call('LTRIM', dead, -keep, -1)
                redis.call('PEXPIRE', dead, ttl)
              end
              return letter
            end
            """;

    /** KEYS inbox, order, dead, due; ARGV id, nowMs, ttlMs, inboxSize, deadKept, deliveryJson, recipient. */
    private static final LuaScript ADD = script("add", PRELUDE + """
            local inbox, order, dead, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
            local id, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
            local size, keep, recipient = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[7]
            if redis.call('HEXISTS', inbox, id) == 0 then
              local newest = redis.call('ZRANGE', order, -1, -1, 'WITHSCORES')
              local seq = 1
              if #newest > 0 then
                seq = tonumber(newest[2]) + 1
              end
              redis.call('ZADD', order, string.format('%.0f', seq), id)
            else
              -- Added again, as the in-memory map's put: it keeps its place, is unsent, so not due.
              redis.call('ZREM', due, recipient .. '\\n' .. id)
            end
            redis.call('HSET', inbox, id, '0:' .. now .. ':' .. now .. ':' .. ARGV[6])
            local pushedOut = {}
            while redis.call('ZCARD', order) > size do
              local oldest = redis.call('ZRANGE', order, 0, 0)[1]
              local letter = bury(inbox, order, dead, due, recipient, oldest, 'inbox full', ttl, keep)
              if letter then
                table.insert(pushedOut, letter)
              end
            end
            redis.call('PEXPIRE', inbox, ttl)
            redis.call('PEXPIRE', order, ttl)
            return pushedOut
            """);

    /** KEYS inbox, order, due; ARGV id, nowMs, ttlMs, recipient, backoffMs after attempt 1, 2, … */
    private static final LuaScript MARK_SENT = script("markSent", PRELUDE + """
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if not value then
              return 0
            end
            local attempts, _, since, json = parse(value)
            local attempt = tonumber(attempts) + 1
            local backoff = tonumber(ARGV[4 + math.min(attempt, #ARGV - 4)])
            local at = string.format('%.0f', tonumber(ARGV[2]) + backoff)
            redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', attempt) .. ':' .. at .. ':' .. since .. ':' .. json)
            redis.call('ZADD', KEYS[3], at, ARGV[4] .. '\\n' .. ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return 1
            """);

    /** KEYS inbox, order, due; ARGV id, recipient. */
    private static final LuaScript ACKNOWLEDGE = script("acknowledge", """
            if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
              return 0
            end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREM', KEYS[3], ARGV[2] .. '\\n' .. ARGV[1])
            return 1
            """);

    /** KEYS inbox, order, dead, due; ARGV nowMs, ttlMs, deadKept, recipient. Returns the entries kept, oldest first. */
    private static final LuaScript PENDING = script("pending", PRELUDE + """
            local oldestKept = tonumber(ARGV[1]) - tonumber(ARGV[2])
            local ttl, keep = tonumber(ARGV[2]), tonumber(ARGV[3])
            local kept = {}
            for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
              local value = redis.call('HGET', KEYS[1], id)
              if not value then
                redis.call('ZREM', KEYS[2], id) -- the hash expired a moment before the order
              else
                local _, _, since = parse(value)
                if tonumber(since) < oldestKept then
                  bury(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[4], id, 'expired', ttl, keep)
                else
                  table.insert(kept, value)
                end
              end
            end
            return kept
            """);

    /**
     * KEYS due; ARGV nowMs, claimUntilMs, ttlMs, deadKept, batch, then prefix and suffix of the
     * inbox, order and dead key names around the recipient. Returns the number of due members
     * looked at, then recipient and entry (as it was before the claim) of each message claimed.
     */
    private static final LuaScript CLAIM_DUE = script("claimDue", PRELUDE + """
            local due = KEYS[1]
            local oldestKept = tonumber(ARGV[1]) - tonumber(ARGV[3])
            local claimUntil, ttl, keep = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
            local members = redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[1], 'LIMIT', 0, ARGV[5])
            local result = { #members }
            for _, member in ipairs(members) do
              local recipient, id = string.match(member, '^(.*)\\n([^\\n]*)$')
              local value = false
              local inbox, order, dead
              if recipient then
                inbox = ARGV[6] .. recipient .. ARGV[7]
                order = ARGV[8] .. recipient .. ARGV[9]
                dead = ARGV[10] .. recipient .. ARGV[11]
                value = redis.call('HGET', inbox, id)
              end
              if not value then
                redis.call('ZREM', due, member) -- acknowledged, dead, or expired with its key
              else
                local attempts, _, since, json = parse(value)
                if tonumber(since) < oldestKept then
                  bury(inbox, order, dead, due, recipient, id, 'expired', ttl, keep)
                elseif tonumber(attempts) == 0 then
                  redis.call('ZREM', due, member) -- never sent: the recipient's next session gets it
                else
                  redis.call('HSET', inbox, id, attempts .. ':' .. claimUntil .. ':' .. since .. ':' .. json)
                  redis.call('ZADD', due, claimUntil, member)
                  redis.call('PEXPIRE', inbox, ttl)
                  redis.call('PEXPIRE', order, ttl)
                  table.insert(result, recipient)
                  table.insert(result, value)
                end
              end
            end
            return result
            """);

    /** KEYS inbox, order, dead, due; ARGV id, reason, ttlMs, deadKept, recipient. */
    private static final LuaScript KILL = script("kill", PRELUDE + """
            bury(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[5], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
            return 1
            """);

    /** The part of a recipient's key name before the recipient, and the part after. */
    private record KeyShape(String prefix, String suffix) {
        static KeyShape of(java.util.function.UnaryOperator<String> name) {
            String marker = "\u0000";
            String key = name.apply(marker);
            int at = key.indexOf(marker);
            return new KeyShape(key.substring(0, at), key.substring(at + marker.length()));
        }
    }

    private static final KeyShape INBOX_SHAPE = KeyShape.of(RedisKeys::inbox);
    private static final KeyShape ORDER_SHAPE = KeyShape.of(RedisKeys::inboxOrder);
    private static final KeyShape DEAD_SHAPE = KeyShape.of(RedisKeys::deadLetters);

    private final RedisCommands<String, String> redis;
    private final DeliveryCodec codec;
    private final RedeliveryPolicy policy;
    private final String ttlMillis;
    private final String deadKept;
    /** {@link RedeliveryPolicy#backoffAfter} of attempts 1 to {@value #BACKOFF_STEPS}, in ms, for MARK_SENT. */
    private final String[] backoffMillis;

    /** Uses the node's command connection; talks to Redis only when called. */
    public RedisInbox(RedisConnections connections, DeliveryCodec codec, RedeliveryPolicy policy) {
        this.redis = connections.commands().sync();
        this.codec = Objects.requireNonNull(codec, "codec");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ttlMillis = Long.toString(policy.inboxTtl().toMillis());
        this.deadKept = Integer.toString(policy.deadLetters());
        this.backoffMillis = new String[BACKOFF_STEPS];
        for (int attempt = 1; attempt <= BACKOFF_STEPS; attempt++) {
            backoffMillis[attempt - 1] = Long.toString(policy.backoffAfter(attempt).toMillis());
        }
    }

    @Override
    public List<InboxEntry> add(String recipient, Delivery delivery, Instant now) {
        List<Object> pushedOut = ADD.run(redis, ScriptOutputType.MULTI, recipientKeys(recipient, true),
                delivery.id(), millis(now), ttlMillis, Integer.toString(policy.inboxSize()), deadKept,
                codec.encode(delivery), recipient);
        List<InboxEntry> dead = new ArrayList<>(pushedOut.size());
        for (Object letter : pushedOut) {
            dead.add(deadLetter(recipient, (String) letter));
        }
        return dead;
    }

    @Override
    public void markSent(String recipient, String messageId, Instant now) {
        String[] args = new String[4 + BACKOFF_STEPS];
        args[0] = messageId;
        args[1] = millis(now);
        args[2] = ttlMillis;
        args[3] = recipient;
        System.arraycopy(backoffMillis, 0, args, 4, BACKOFF_STEPS);
        MARK_SENT.run(redis, ScriptOutputType.INTEGER, recipientKeys(recipient, false), args);
    }

    @Override
    public boolean acknowledge(String recipient, String messageId) {
        Long removed = ACKNOWLEDGE.run(redis, ScriptOutputType.INTEGER, recipientKeys(recipient, false), messageId,
                recipient);
        return removed == 1L;
    }

    @Override
    public List<InboxEntry> pending(String recipient, Instant now) {
        List<Object> values = PENDING.run(redis, ScriptOutputType.MULTI, recipientKeys(recipient, true),
                millis(now), ttlMillis, deadKept, recipient);
        List<InboxEntry> pending = new ArrayList<>(values.size());
        for (Object value : values) {
            pending.add(entry(recipient, (String) value));
        }
        return pending;
    }

    /**
     * As the contract says, in batches of {@value #CLAIM_BATCH} due messages, each batch one atomic
     * script; it runs batches until one is not full. With a {@code claimFor} under a millisecond a
     * claimed message stays due, so only one batch is run (another would find the same messages again).
     */
    @Override
    public List<Due> claimDue(Instant now, Duration claimFor) {
        long nowMillis = now.toEpochMilli();
        long untilMillis = now.plus(claimFor).toEpochMilli();
        List<Due> due = new ArrayList<>();
        while (true) {
            List<Object> reply = CLAIM_DUE.run(redis, ScriptOutputType.MULTI, new String[] {RedisKeys.INBOX_DUE},
                    Long.toString(nowMillis), Long.toString(untilMillis), ttlMillis, deadKept,
                    Integer.toString(CLAIM_BATCH), INBOX_SHAPE.prefix(), INBOX_SHAPE.suffix(), ORDER_SHAPE.prefix(),
                    ORDER_SHAPE.suffix(), DEAD_SHAPE.prefix(), DEAD_SHAPE.suffix());
            long lookedAt = (Long) reply.get(0);
            for (int i = 1; i + 1 < reply.size(); i += 2) {
                String recipient = (String) reply.get(i);
                due.add(new Due(recipient, entry(recipient, (String) reply.get(i + 1))));
            }
            if (lookedAt < CLAIM_BATCH || untilMillis <= nowMillis) {
                return due;
            }
        }
    }

    @Override
    public void kill(String recipient, String messageId, String reason, Instant now) {
        KILL.run(redis, ScriptOutputType.INTEGER, recipientKeys(recipient, true), messageId, reason, ttlMillis,
                deadKept, recipient);
    }

    @Override
    public List<InboxEntry> deadLetters(String recipient) {
        List<String> letters;
        try {
            letters = redis.lrange(RedisKeys.deadLetters(recipient), 0, -1);
        } catch (RedisException e) {
            throw unavailable("deadLetters", e);
        }
        List<InboxEntry> dead = new ArrayList<>(letters.size());
        for (String letter : letters) {
            dead.add(deadLetter(recipient, letter));
        }
        return dead;
    }

    /** Nothing to free in this process: see the class comment on {@code maxmemory}. */
    @Override
    public int shed() {
        return 0;
    }

    /** inbox, order, (dead,) due: the keys a script for {@code recipient} touches. */
    private static String[] recipientKeys(String recipient, boolean withDead) {
        return withDead
                ? new String[] {RedisKeys.inbox(recipient), RedisKeys.inboxOrder(recipient),
                        RedisKeys.deadLetters(recipient), RedisKeys.INBOX_DUE}
                : new String[] {RedisKeys.inbox(recipient), RedisKeys.inboxOrder(recipient), RedisKeys.INBOX_DUE};
    }

    /** A script whose failures read as every failure of this inbox: "Redis inbox {@code operation} failed: …". */
    private static LuaScript script(String operation, String source) {
        return LuaScript.failingAs(failure(operation), source);
    }

    private static String failure(String operation) {
        return "Redis inbox " + operation + " failed";
    }

    private static ClusterUnavailableException unavailable(String operation, RedisException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ClusterUnavailableException(failure(operation) + ": "
                + reason.replaceAll("\\s+", " ").strip(), e);
    }

    /** {@code attempts:nextAttemptMs:sinceMs:delivery}. */
    private InboxEntry entry(String recipient, String value) {
        try {
            int attemptsEnd = value.indexOf(':');
            int nextEnd = value.indexOf(':', attemptsEnd + 1);
            int sinceEnd = value.indexOf(':', nextEnd + 1);
            return new InboxEntry(codec.decode(value.substring(sinceEnd + 1)),
                    Integer.parseInt(value, 0, attemptsEnd, 10),
                    Instant.ofEpochMilli(Long.parseLong(value, attemptsEnd + 1, nextEnd, 10)),
                    Instant.ofEpochMilli(Long.parseLong(value, nextEnd + 1, sinceEnd, 10)), null);
        } catch (RuntimeException e) {
            throw unreadable(recipient, e);
        }
    }

    /** {@code attempts:sinceMs:delivery\nreason}; the delivery's JSON holds no raw newline. */
    private InboxEntry deadLetter(String recipient, String letter) {
        try {
            int attemptsEnd = letter.indexOf(':');
            int sinceEnd = letter.indexOf(':', attemptsEnd + 1);
            int reasonAt = letter.indexOf('\n', sinceEnd + 1);
            return new InboxEntry(codec.decode(letter.substring(sinceEnd + 1, reasonAt)),
                    Integer.parseInt(letter, 0, attemptsEnd, 10), null,
                    Instant.ofEpochMilli(Long.parseLong(letter, attemptsEnd + 1, sinceEnd, 10)),
                    letter.substring(reasonAt + 1));
        } catch (RuntimeException e) {
            throw unreadable(recipient, e);
        }
    }

    /** A stored entry this code cannot read is a bug (or another version's format), not an outage. */
    private static IllegalStateException unreadable(String recipient, RuntimeException e) {
        return new IllegalStateException("Unreadable entry in the Redis inbox of " + recipient, e);
    }

    private static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli());
    }
}
