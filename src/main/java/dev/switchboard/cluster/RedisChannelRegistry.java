package dev.switchboard.cluster;

import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelRegistry;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClusterUnavailableException;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ChannelRegistry} of the whole deployment, in Redis. Each method is one Lua script on the
 * channel's claim hash {@link RedisKeys#channelClaim}, so every change is atomic per channel
 * across nodes: under any race of claims, on any nodes, one reservation is current afterwards.
 *
 * <p><b>Claim hash.</b> {@code token} (random, compared by equality), {@code user}, {@code node},
 * {@code inc} (the node's incarnation, copied from its {@link NodeHeartbeat} key when it claimed),
 * {@code session} (empty until bound), {@code since} (ms, Redis time: the reservation, then the
 * bind), {@code reserved} (ms, Redis time of the reservation). {@link RedisKeys#CLAIMS} holds the
 * ids of the channels with a claim hash.
 *
 * <p><b>When a claim counts.</b> A claim blocks others unless it is an unbound reservation older
 * than {@code reservationTimeout} (measured with Redis {@code TIME}, one clock for all nodes), or
 * its node is dead: the node's heartbeat key is gone or holds another incarnation (the node lost
 * its lease and fenced itself, see {@link NodeHeartbeat}). So a node that vanished frees its
 * channels within its lease. A node without a heartbeat key cannot claim
 * ({@link ClusterUnavailableException}), and a reservation whose node lost its lease since the
 * claim does not bind.
 *
 * <p><b>Eviction.</b> {@link #release} and {@link #cancel} delete the hash. An unbound reservation
 * expires after {@code max(10 x reservationTimeout, 1 min)} ({@code PERSIST} at bind). Claims of
 * dead nodes are deleted by {@link #openChannels()}, overwritten by the next claim of the channel,
 * and each claim also checks two random members of {@link RedisKeys#CLAIMS} and deletes them if
 * dead, so that stale claims of channels nobody asks for again do not pile up.
 *
 * <p>The scripts build the names of the heartbeat and claim keys they discover from stored data
 * (node ids, channel ids in {@code CLAIMS}), which a single Redis or a Sentinel-managed primary
 * allows, Redis Cluster does not. Every Redis failure throws {@link ClusterUnavailableException}.
 * Thread safe.
 */
public final class RedisChannelRegistry implements ChannelRegistry {

    /** How many random members of CLAIMS a claim checks for dead ones. */
    private static final int PRUNE_SAMPLE = 2;

    private static final String NOW_MS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local nowMs = string.format('%d', now)
            """;

    /**
     * KEYS: claim, CLAIMS, nodeAlive(claimer). ARGV: channelId, token, user, node, policy,
     * timeoutMs, alivePrefix, aliveSuffix, claimPrefix, claimSuffix, sample, unboundTtlMs.
     * Replies {fenced} | {refused} | {granted, nowMs[, user, node, session, since of the displaced]}.
     */
    private static final LuaScript CLAIM = new LuaScript("claim a channel", NOW_MS + """
            local inc = redis.call('GET', KEYS[3])
            if not inc then return {'fenced'} end
            local c = redis.call('HMGET', KEYS[1], 'token', 'user', 'node', 'inc', 'session', 'since', 'reserved')
            if c[1] then
              local live = redis.call('GET', ARGV[7] .. c[3] .. ARGV[8]) == c[4]
              local abandoned = c[5] == '' and now - tonumber(c[7]) > tonumber(ARGV[6])
              if live and not abandoned and ARGV[5] == 'REJECT' then return {'refused'} end
            end
            redis.call('HSET', KEYS[1], 'token', ARGV[2], 'user', ARGV[3], 'node', ARGV[4], 'inc', inc,
              'session', '', 'since', nowMs, 'reserved', nowMs)
            redis.call('PEXPIRE', KEYS[1], ARGV[12])
            redis.call('SADD', KEYS[2], ARGV[1])
            -- Lazy eviction of claims nobody asks for again, like Redis' own sampled expiry.
            for _, id in ipairs(redis.call('SRANDMEMBER', KEYS[2], tonumber(ARGV[11]))) do
              if id ~= ARGV[1] then
                local key = ARGV[9] .. id .. ARGV[10]
                local s = redis.call('HMGET', key, 'node', 'inc')
                if not s[1] then
                  redis.call('SREM', KEYS[2], id)
                elseif redis.call('GET', ARGV[7] .. s[1] .. ARGV[8]) ~= s[2] then
                  redis.call('DEL', key)
                  redis.call('SREM', KEYS[2], id)
                end
              end
            end
            if c[1] then return {'granted', nowMs, c[2], c[3], c[5], c[6]} end
            return {'granted', nowMs}
            """);

    /** KEYS: claim. ARGV: token, session, alivePrefix, aliveSuffix. Replies 1 if bound. */
    private static final LuaScript BIND = new LuaScript("bind a channel", NOW_MS + """
            local c = redis.call('HMGET', KEYS[1], 'token', 'session', 'node', 'inc')
            if c[1] ~= ARGV[1] or c[2] ~= '' then return 0 end
            if redis.call('GET', ARGV[3] .. c[3] .. ARGV[4]) ~= c[4] then return 0 end
            redis.call('HSET', KEYS[1], 'session', ARGV[2], 'since', nowMs)
            redis.call('PERSIST', KEYS[1])
            return 1
            """);

    /** KEYS: claim, CLAIMS. ARGV: token, channelId. Deletes an unbound reservation with that token. */
    private static final LuaScript CANCEL = new LuaScript("cancel a channel reservation", """
            local c = redis.call('HMGET', KEYS[1], 'token', 'session')
            if c[1] == ARGV[1] and c[2] == '' then
              redis.call('DEL', KEYS[1])
              redis.call('SREM', KEYS[2], ARGV[2])
              return 1
            end
            return 0
            """);

    /** KEYS: claim, CLAIMS. ARGV: session, channelId. Deletes the claim bound to that session. */
    private static final LuaScript RELEASE = new LuaScript("release a channel", """
            if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'session') == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('SREM', KEYS[2], ARGV[2])
              return 1
            end
            return 0
            """);

    /**
     * KEYS: claim, CLAIMS, nodeAlive(node). ARGV: channelId, token, user, node, session, sinceMs,
     * alivePrefix, aliveSuffix. Replies -1 if the node holds no lease, 1 if the claim is (now)
     * the session's, 0 if another live claim holds the channel or the session's claim is of an
     * older incarnation of its node (which fenced itself and closes it).
     */
    private static final LuaScript REASSERT = new LuaScript("re-record a channel holder", """
            local inc = redis.call('GET', KEYS[3])
            if not inc then return -1 end
            local c = redis.call('HMGET', KEYS[1], 'node', 'inc', 'session')
            if c[1] then
              if c[1] == ARGV[4] and c[3] == ARGV[5] then
                if c[2] == inc then return 1 end
                return 0
              end
              if redis.call('GET', ARGV[7] .. c[1] .. ARGV[8]) == c[2] then return 0 end
            end
            redis.call('HSET', KEYS[1], 'token', ARGV[2], 'user', ARGV[3], 'node', ARGV[4], 'inc', inc,
              'session', ARGV[5], 'since', ARGV[6], 'reserved', ARGV[6])
            redis.call('PERSIST', KEYS[1])
            redis.call('SADD', KEYS[2], ARGV[1])
            return 1
            """);

    /** KEYS: claim. ARGV: alivePrefix, aliveSuffix. Replies {} or {user, node, session, since} of a live bound claim. */
    private static final LuaScript HOLDER = new LuaScript("read a channel holder", """
            local c = redis.call('HMGET', KEYS[1], 'user', 'node', 'inc', 'session', 'since')
            if not c[2] or not c[4] or c[4] == '' then return {} end
            if redis.call('GET', ARGV[1] .. c[2] .. ARGV[2]) ~= c[3] then return {} end
            return {c[1], c[2], c[4], c[5]}
            """);

    /**
     * KEYS: CLAIMS. ARGV: alivePrefix, aliveSuffix, claimPrefix, claimSuffix. Replies channelId,
     * user, node, session, since for each live bound claim; deletes dead claims and stale members.
     */
    private static final LuaScript OPEN_CHANNELS = new LuaScript("list open channels", """
            local out = {}
            local liveness = {}
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local key = ARGV[3] .. id .. ARGV[4]
              local c = redis.call('HMGET', key, 'user', 'node', 'inc', 'session', 'since')
              if not c[2] then
                redis.call('SREM', KEYS[1], id)
              else
                local incarnation = c[2] .. '\\n' .. c[3]
                local live = liveness[incarnation]
                if live == nil then
                  live = redis.call('GET', ARGV[1] .. c[2] .. ARGV[2]) == c[3]
                  liveness[incarnation] = live
                end
                if not live then
                  redis.call('DEL', key)
                  redis.call('SREM', KEYS[1], id)
                elseif c[4] ~= '' then
                  table.insert(out, id)
                  table.insert(out, c[1])
                  table.insert(out, c[2])
                  table.insert(out, c[4])
                  table.insert(out, c[5])
                end
              end
            end
            return out
            """);

    private final RedisConnections redis;
    private final long reservationTimeoutMs;
    private final long unboundTtlMs;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param reservationTimeout how long an unbound reservation blocks other claims; positive
     */
    public RedisChannelRegistry(RedisConnections redis, Duration reservationTimeout) {
        this.redis = Objects.requireNonNull(redis, "redis");
        if (reservationTimeout.isNegative() || reservationTimeout.isZero()) {
            throw new IllegalArgumentException("reservationTimeout must be positive, not " + reservationTimeout);
        }
        this.reservationTimeoutMs = reservationTimeout.toMillis();
        // Long enough that a slow handshake past the timeout still binds if nobody took the channel.
        this.unboundTtlMs = Math.max(10 * reservationTimeoutMs, Duration.ofMinutes(1).toMillis());
    }

    @Override
    public ChannelClaim claim(String channelId, String user, String nodeId, ChannelPolicy policy) {
        byte[] tokenBytes = new byte[12];
        random.nextBytes(tokenBytes);
        String token = HexFormat.of().formatHex(tokenBytes);
        List<Object> reply = CLAIM.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.channelClaim(channelId), RedisKeys.CLAIMS, RedisKeys.nodeAlive(nodeId)},
                channelId, token, user, nodeId, policy.name(), Long.toString(reservationTimeoutMs),
                RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX, RedisKeys.CLAIM_PREFIX,
                RedisKeys.CLAIM_SUFFIX, Integer.toString(PRUNE_SAMPLE), Long.toString(unboundTtlMs));
        String outcome = (String) reply.get(0);
        switch (outcome) {
            case "refused":
                return new ChannelClaim.Refused(channelId);
            case "fenced":
                throw new ClusterUnavailableException("Node " + nodeId + " has no heartbeat in Redis and may not claim "
                        + "channels until it holds its lease");
            case "granted":
                break;
            default:
                throw new IllegalStateException("Unexpected reply of the claim script: " + outcome);
        }
        ChannelReservation reservation = new ChannelReservation(channelId, user, nodeId, token, millis(reply.get(1)));
        ChannelHolder displaced = reply.size() == 2 ? null : new ChannelHolder(channelId, (String) reply.get(2),
                (String) reply.get(3), emptyToNull((String) reply.get(4)), millis(reply.get(5)));
        return new ChannelClaim.Granted(reservation, displaced);
    }

    @Override
    public boolean bind(ChannelReservation reservation, String sessionId) {
        Long bound = BIND.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.channelClaim(reservation.channelId())}, reservation.token(), sessionId,
                RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX);
        return bound == 1L;
    }

    @Override
    public void cancel(ChannelReservation reservation) {
        CANCEL.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.channelClaim(reservation.channelId()), RedisKeys.CLAIMS}, reservation.token(),
                reservation.channelId());
    }

    @Override
    public void release(String channelId, String sessionId) {
        RELEASE.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.channelClaim(channelId), RedisKeys.CLAIMS}, sessionId, channelId);
    }

    /**
     * {@inheritDoc} One script per channel: a claim that Redis lost is written again, bound, under
     * the node's current incarnation; a claim of the node's older incarnation is not revived.
     */
    @Override
    public boolean reassert(ChannelHolder holder) {
        byte[] tokenBytes = new byte[12];
        random.nextBytes(tokenBytes);
        Long outcome = REASSERT.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.channelClaim(holder.channelId()), RedisKeys.CLAIMS,
                        RedisKeys.nodeAlive(holder.nodeId())},
                holder.channelId(), HexFormat.of().formatHex(tokenBytes), holder.user(), holder.nodeId(),
                holder.sessionId(), Long.toString(holder.since().toEpochMilli()), RedisKeys.NODE_ALIVE_PREFIX,
                RedisKeys.NODE_ALIVE_SUFFIX);
        if (outcome == -1L) {
            throw new ClusterUnavailableException("Node " + holder.nodeId() + " has no heartbeat in Redis and may not "
                    + "hold channels until it holds its lease");
        }
        return outcome == 1L;
    }

    @Override
    public Optional<ChannelHolder> holder(String channelId) {
        List<Object> reply = HOLDER.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.channelClaim(channelId)}, RedisKeys.NODE_ALIVE_PREFIX,
                RedisKeys.NODE_ALIVE_SUFFIX);
        if (reply.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ChannelHolder(channelId, (String) reply.get(0), (String) reply.get(1),
                (String) reply.get(2), millis(reply.get(3))));
    }

    /**
     * {@inheritDoc} Walks every claim in one script: O(number of claims), and Redis serves nothing
     * else meanwhile. An admin query, not for the message path.
     */
    @Override
    public List<ChannelHolder> openChannels() {
        List<Object> reply = OPEN_CHANNELS.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.CLAIMS}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX,
                RedisKeys.CLAIM_PREFIX, RedisKeys.CLAIM_SUFFIX);
        List<ChannelHolder> open = new ArrayList<>(reply.size() / 5);
        for (int i = 0; i + 4 < reply.size(); i += 5) {
            open.add(new ChannelHolder((String) reply.get(i), (String) reply.get(i + 1), (String) reply.get(i + 2),
                    (String) reply.get(i + 3), millis(reply.get(i + 4))));
        }
        return List.copyOf(open);
    }

    private static Instant millis(Object value) {
        return Instant.ofEpochMilli(Long.parseLong(String.valueOf(value)));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
