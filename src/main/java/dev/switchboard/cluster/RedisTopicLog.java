package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.StreamPosition;
import dev.switchboard.broker.TopicLog;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link TopicLog} shared by every node of a cluster, kept in Redis: each topic's epoch, last
 * offset and recent history, appended to and announced by one Lua script, so that offsets are
 * given out exactly once per topic across all nodes and announcements go out in offset order.
 *
 * <p><b>Layout</b> (names from {@link RedisKeys}):
 * <ul>
 *   <li>{@link RedisKeys#topicMeta}: hash with {@code epoch}, {@code offset} (the last one given
 *       out in this epoch) and {@code bytes} (what the history entries hold, see below).</li>
 *   <li>{@link RedisKeys#topicLog}: stream with one entry per kept message; the entry id is
 *       {@code <offset>-0}, so reading offsets a..b is {@code XRANGE a-0 b-0}. Fields: {@code d},
 *       the delivery as {@link DeliveryCodec} encodes it without offset and epoch (as the broker
 *       passes it to {@link #append}), and {@code t}, when Redis appended it (ms, Redis {@code TIME}).</li>
 *   <li>{@link RedisKeys#EPOCH_COUNTER}: counter numbering the epochs made.</li>
 *   <li>{@link RedisKeys#topicChannel}: every append publishes a {@link TopicAnnouncement} there.</li>
 * </ul>
 *
 * <p><b>Epochs.</b> A topic's epoch is made when its meta hash has none: the first use, or after
 * Redis lost the hash (it expired, was evicted, or Redis restarted without persistence), and only
 * then. It is Redis's {@code TIME} in microseconds, base 36, then {@code -} and the next value of
 * the epoch counter, base 36: unique within one Redis life by the counter, and across lives (when
 * the counter starts over) by the time, provided Redis's clock does not step back past a previous
 * life. Making an epoch deletes what the topic's stream still held, so that entries of the old
 * epoch are never read as the new one's.
 *
 * <p><b>History bounds.</b> The script keeps at most {@link HistoryPolicy#size()} entries (0 keeps
 * none) and at most {@link HistoryPolicy#maxBytes()} bytes per topic, counted as the length of the
 * encoded entry in UTF-8 (not {@code MemoryBudget.sizeOf}; the {@code MemoryBudget} counts this
 * process's heap, which this log does not use): the oldest entries are trimmed on each append,
 * with those older than the TTL. What all topics hold together is bounded by the operator's
 * {@code maxmemory} (use a {@code volatile-*} eviction policy or {@code noeviction}: every key here
 * but the epoch counter has a TTL).
 *
 * <p><b>Time.</b> History age is measured on Redis's clock only: the entry's {@code t} is Redis
 * {@code TIME} at the append, and {@link #read} compares it with Redis {@code TIME} at the read, so
 * the nodes' clocks (and the delivery's own timestamp, which is the publishing node's) play no part
 * and every node agrees on what has expired.
 *
 * <p><b>Expiry.</b> The stream expires {@link HistoryPolicy#ttl()} after the last append (all of
 * it is then older than the TTL). The meta hash expires {@link #metaTtl(HistoryPolicy)} after the
 * last append or {@link #position}: at least the history TTL plus the idle-topic time and never
 * less than a day, so that a topic followed by a node keeps its epoch through long quiet spells
 * (the broker calls {@code position()} when a node starts following a topic and after a reconnect,
 * and each call pushes the expiry out again). A topic left alone for longer starts over in a new
 * epoch, as the in-memory log forgets idle topics; by then its history had long expired, so resumes
 * lose nothing they could have had. Nothing is kept per topic in this process, so {@link #sweep}
 * and {@link #shed} do nothing.
 *
 * <p><b>Failures.</b> Every Redis failure (unreachable, timed out after the command timeout of
 * {@link RedisConnections}, an error reply) surfaces as a {@link ClusterUnavailableException} with a
 * one-line message and the Lettuce exception as its cause. The scripts need Redis 6.2 or later, and
 * a single Redis (standalone or Sentinel-managed): they touch the global epoch counter along with
 * the topic's keys, which Redis Cluster would refuse.
 *
 * <p>Thread safe: it holds no mutable state; Lettuce's connection pipelines concurrent calls and
 * Redis runs each script atomically.
 */
public final class RedisTopicLog implements TopicLog {

    /** The shortest time a topic's meta hash (its epoch) outlives the last use of the topic. */
    static final Duration MIN_META_TTL = Duration.ofDays(1);

    /**
     * Makes the topic's epoch if its meta hash has none. Needs KEYS[1] meta, KEYS[2] log,
     * KEYS[3] epoch counter. Shared by the scripts below (each script is self-contained for Redis).
     */
    private static final String ENSURE_EPOCH = """
            local function base36(n)
              local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
              local s = ''
              repeat
                local d = n % 36
                s = string.sub(digits, d + 1, d + 1) .. s
                n = (n - d) / 36
              until n == 0
              return s
            end
            local function ensure_epoch()
              local epoch = redis.call('HGET', KEYS[1], 'epoch')
              if epoch then
                return epoch
              end
              local now = redis.call('TIME')
              -- microseconds: a Redis restarted without persistence counts from 1 again, later
              local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
              epoch = base36(micros) .. '-' .. base36(redis.call('INCR', KEYS[3]))
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0, 'bytes', 0)
              -- what the stream still holds is the lost epoch's: never to be read as this one's
              redis.call('DEL', KEYS[2])
              return epoch
            end
            """;

    /**
     * KEYS: meta, log, epoch counter. ARGV: encoded delivery, history size, history max bytes,
     * history TTL (ms), meta TTL (ms), announcement channel. Returns {offset, epoch}.
     */
    private static final LuaScript APPEND = new LuaScript("append to", ENSURE_EPOCH + """
            local epoch = ensure_epoch()
            local encoded = ARGV[1]
            local size = tonumber(ARGV[2])
            local max_bytes = tonumber(ARGV[3])
            local ttl = tonumber(ARGV[4])
            local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
            local id = string.format('%d', offset)
            if size > 0 and ttl > 0 then
              local now = redis.call('TIME')
              local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
              local bytes = 0
              if redis.call('EXISTS', KEYS[2]) == 1 then
                bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
              end
              redis.call('XADD', KEYS[2], id .. '-0', 'd', encoded, 't', string.format('%d', now_ms))
              bytes = bytes + #encoded
              local length = redis.call('XLEN', KEYS[2])
              -- drop the oldest while over a bound or expired; the fields are d, encoded, t, time
              local oldest_kept = now_ms - ttl
              local dropped = 0
              local from = '-'
              local done = false
              while not done do
                local batch = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', 8)
                if #batch == 0 then
                  break
                end
                for _, entry in ipairs(batch) do
                  local fields = entry[2]
                  if length - dropped > size or bytes > max_bytes or tonumber(fields[4]) < oldest_kept then
                    dropped = dropped + 1
                    bytes = bytes - #fields[2]
                    from = '(' .. entry[1]
                  else
                    done = true
                    break
                  end
                end
              end
              if dropped == length then
                redis.call('DEL', KEYS[2])
              else
                if dropped > 0 then
                  redis.call('XTRIM', KEYS[2], 'MAXLEN', length - dropped)
                end
                redis.call('PEXPIRE', KEYS[2], ttl)
              end
              redis.call('HSET', KEYS[1], 'bytes', bytes)
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PUBLISH', ARGV[6], id .. '\\n' .. epoch .. '\\n' .. encoded)
            return {offset, epoch}
            """);

    /** KEYS: meta, log, epoch counter. ARGV: meta TTL (ms). Returns {offset, epoch}. */
    private static final LuaScript POSITION = new LuaScript("read the position of", ENSURE_EPOCH + """
            local epoch = ensure_epoch()
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return {tonumber(redis.call('HGET', KEYS[1], 'offset')), epoch}
            """);

    /**
     * KEYS: meta, log. ARGV: epoch, from offset, through offset, history TTL (ms). Returns
     * {'gone'} if the log cannot answer (see TopicLog.read), else {'ok', encoded...} oldest first.
     */
    private static final LuaScript READ = new LuaScript("read", """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch or epoch ~= ARGV[1] then
              return {'gone'}
            end
            local from = tonumber(ARGV[2])
            local last = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
            if from < 0 or from > last then
              return {'gone'}
            end
            local through = math.min(tonumber(ARGV[3]), last)
            if from >= through then
              return {'ok'}
            end
            local entries = redis.call('XRANGE', KEYS[2], string.format('%d', from + 1) .. '-0',
                string.format('%d', through) .. '-0')
            -- ids are unique offsets in that range: all there exactly when the count is right
            if #entries ~= through - from then
              return {'gone'}
            end
            local now = redis.call('TIME')
            local oldest_kept = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[4])
            local result = {'ok'}
            for _, entry in ipairs(entries) do
              local fields = entry[2]
              if tonumber(fields[4]) < oldest_kept then
                return {'gone'}
              end
              result[#result + 1] = fields[2]
            end
            return result
            """);

    private final RedisConnections connections;
    private final DeliveryCodec codec;
    private final HistoryPolicy history;
    private final String metaTtlMillis;

    public RedisTopicLog(RedisConnections connections, DeliveryCodec codec, HistoryPolicy history) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.history = Objects.requireNonNull(history, "history");
        this.metaTtlMillis = Long.toString(metaTtl(history).toMillis());
    }

    /**
     * How long a topic's epoch outlives its last append or {@link #position} call: the history TTL
     * plus the idle-topic time, and at least {@link #MIN_META_TTL}.
     */
    static Duration metaTtl(HistoryPolicy history) {
        Duration ttl = history.ttl().plus(history.idleTopicTtl());
        return ttl.compareTo(MIN_META_TTL) < 0 ? MIN_META_TTL : ttl;
    }

    @Override
    public StreamPosition append(String topic, Delivery message) {
        List<Object> result = run(APPEND, topic, topicKeys(topic),
                codec.encode(message), Integer.toString(Math.max(0, history.size())),
                Long.toString(history.maxBytes()), Long.toString(history.ttl().toMillis()), metaTtlMillis,
                RedisKeys.topicChannel(topic));
        return position(result);
    }

    @Override
    public StreamPosition position(String topic) {
        return position(run(POSITION, topic, topicKeys(topic), metaTtlMillis));
    }

    @Override
    public List<Delivery> read(String topic, StreamPosition from, long through) {
        List<Object> result = run(READ, topic,
                new String[] {RedisKeys.topicMeta(topic), RedisKeys.topicLog(topic)},
                from.epoch(), Long.toString(from.offset()), Long.toString(through),
                Long.toString(history.ttl().toMillis()));
        if (!"ok".equals(result.get(0))) {
            return null;
        }
        List<Delivery> deliveries = new ArrayList<>(result.size() - 1);
        for (int i = 1; i < result.size(); i++) {
            // Contiguous from from+1: the script returned every offset of the range or nothing.
            deliveries.add(codec.decode((String) result.get(i)).at(from.offset() + i, from.epoch()));
        }
        return deliveries;
    }

    /** Always 0: this log keeps no per-topic state in the process (everything is in Redis). */
    @Override
    public int topicCount() {
        return 0;
    }

    private static String[] topicKeys(String topic) {
        return new String[] {RedisKeys.topicMeta(topic), RedisKeys.topicLog(topic), RedisKeys.EPOCH_COUNTER};
    }

    private static StreamPosition position(List<Object> result) {
        return new StreamPosition((Long) result.get(0), (String) result.get(1));
    }

    /** Runs {@code script} on this topic's keys; a failure's message names the topic. */
    private List<Object> run(LuaScript script, String topic, String[] keys, String... args) {
        return script.run(connections.commands().sync(), ScriptOutputType.MULTI, "topic " + topic, keys, args);
    }
}
