package dev.switchboard.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The names of everything Switchboard keeps in Redis, in one place (docs/cluster.md lists them for
 * operators). Every key and pub/sub channel starts with {@code sb:}; a topic, user, channel or
 * node name is wrapped in braces, which no topic or channel name may contain, so that no two
 * names make the same key.
 */
final class RedisKeys {

    private RedisKeys() {
    }

    // --- topics: TopicLog ---

    /** Hash of a topic's {@code epoch} and last {@code offset}. */
    static String topicMeta(String topic) {
        return "sb:topic:{" + topic + "}:meta";
    }

    /** Stream of a topic's recent messages (its history), one entry per offset. */
    static String topicLog(String topic) {
        return "sb:topic:{" + topic + "}:log";
    }

    /** Pub/sub channel on which a topic's appended messages are announced, in offset order. */
    static String topicChannel(String topic) {
        return "sb:topic:{" + topic + "}";
    }

    /** Counter that numbers the epochs made, so no epoch is ever made twice by one Redis. */
    static final String EPOCH_COUNTER = "sb:epochs";

    // --- data and control plane: ClusterBus ---

    /** Pub/sub channel of a user's deliveries; followed by the nodes holding a session of the user. */
    static String userChannel(String user) {
        return "sb:user:{" + user + "}";
    }

    /** Pub/sub channel of a channel's deliveries; followed by the node holding the channel. */
    static String channelChannel(String channelId) {
        return "sb:channel:{" + channelId + "}";
    }

    /** Pub/sub channel of broadcasts; followed by every node. */
    static final String BROADCAST_CHANNEL = "sb:broadcast";

    /** Pub/sub channel of commands to one node (close a session). */
    static String nodeChannel(String nodeId) {
        return "sb:node:{" + nodeId + "}";
    }

    // --- nodes ---

    /**
     * A node's heartbeat: exists while the node is alive (it expires after the node's lease). Its
     * value is the node's current incarnation (see {@link NodeHeartbeat}); what a node wrote under
     * another incarnation counts as written by a dead node.
     */
    static String nodeAlive(String nodeId) {
        return NODE_ALIVE_PREFIX + nodeId + NODE_ALIVE_SUFFIX;
    }

    /**
     * {@link #nodeAlive} is this, the node id, then {@link #NODE_ALIVE_SUFFIX}: given to the Lua
     * scripts that check the liveness of nodes they only learn from stored data.
     */
    static final String NODE_ALIVE_PREFIX = "sb:node:{";

    /** See {@link #NODE_ALIVE_PREFIX}. */
    static final String NODE_ALIVE_SUFFIX = "}:alive";

    /** A node's latest figures for the stats API (expires with the heartbeat). */
    static String nodeReport(String nodeId) {
        return NODE_ALIVE_PREFIX + nodeId + NODE_REPORT_SUFFIX;
    }

    /** {@link #nodeReport} is {@link #NODE_ALIVE_PREFIX}, the node id, then this (for scripts that walk {@link #NODES}). */
    static final String NODE_REPORT_SUFFIX = "}:report";

    /** Set of the node ids that have reported (pruned of those whose heartbeat expired). */
    static final String NODES = "sb:nodes";

    // --- channels: ChannelRegistry ---

    /**
     * Hash of a channel's claim: token, user, node, inc (the node's incarnation when it claimed),
     * session (empty until bound), since (ms), reserved (ms). See {@link RedisChannelRegistry}.
     */
    static String channelClaim(String channelId) {
        return CLAIM_PREFIX + channelId + CLAIM_SUFFIX;
    }

    /** {@link #channelClaim} is this, the channel id, then {@link #CLAIM_SUFFIX} (for scripts that walk {@link #CLAIMS}). */
    static final String CLAIM_PREFIX = "sb:claim:{";

    /** See {@link #CLAIM_PREFIX}. */
    static final String CLAIM_SUFFIX = "}";

    /** Set of the channel ids with a claim, for listing open channels. */
    static final String CLAIMS = "sb:claims";

    // --- inbox ---

    /** Hash of a recipient's pending messages by message id. */
    static String inbox(String recipient) {
        return "sb:inbox:{" + recipient + "}";
    }

    /**
     * Sorted set of a recipient's pending message ids, scored by acceptance order (1, 2, 3, …): which
     * message is oldest, for the size bound and for listing pending messages oldest first.
     */
    static String inboxOrder(String recipient) {
        return "sb:inbox:{" + recipient + "}:order";
    }

    /** List of a recipient's recent dead letters, oldest first. */
    static String deadLetters(String recipient) {
        return "sb:inbox:{" + recipient + "}:dead";
    }

    /** Sorted set of every pending message by its next attempt time (ms); members are {@code recipient\nid}. */
    static final String INBOX_DUE = "sb:inbox-due";

    // --- presence ---

    /** Hash of a user's open sessions by session id: {@code node\nincarnation\nJSON record} each. */
    static String userSessions(String user) {
        return "sb:presence:user:{" + user + "}";
    }

    /** Hash of a topic's subscribers: field {@code node\nincarnation\nuser}, value how many sessions. */
    static String topicPresence(String topic) {
        return TOPIC_PRESENCE_PREFIX + topic + "}";
    }

    private static final String TOPIC_PRESENCE_PREFIX = "sb:presence:topic:{";

    /** SCAN pattern of every {@link #topicPresence} hash ({, } are not special in a pattern). */
    static final String TOPIC_PRESENCE_PATTERN = TOPIC_PRESENCE_PREFIX + "*}";

    /** The topic of a {@link #topicPresence} key, or null for any other key. */
    static String topicOfPresence(String key) {
        return nameAfter(TOPIC_PRESENCE_PREFIX, key);
    }

    /** The name between {@code prefix} (which ends with "{") and the closing "}" of {@code key}, or null. */
    private static String nameAfter(String prefix, String key) {
        return key.startsWith(prefix) && key.endsWith("}") && key.length() > prefix.length()
                ? key.substring(prefix.length(), key.length() - 1) : null;
    }

    /**
     * Hash of the deployment's members of one group ({@code kind} user or topic): field
     * {@code node\nincarnation}, value that node's count (RedisOccupancy).
     */
    static String occupancy(String kind, String group) {
        return occupancyPrefix(kind) + group + "}";
    }

    /** SCAN pattern of every {@link #occupancy} hash of {@code kind}. */
    static String occupancyPattern(String kind) {
        return occupancyPrefix(kind) + "*}";
    }

    /** The group of an {@link #occupancy} key of {@code kind}, or null for any other key. */
    static String groupOfOccupancy(String kind, String key) {
        return nameAfter(occupancyPrefix(kind), key);
    }

    private static String occupancyPrefix(String kind) {
        return "sb:occupancy:" + kind + ":{";
    }

    /**
     * Set of the {@code node\nincarnation}s that wrote a share into an {@link #occupancy} hash of
     * {@code kind}: which writers to check for departure (RedisOccupancy), pruned once reaped.
     */
    static String occupancyWriters(String kind) {
        return "sb:occupancy:" + kind + ":writers";
    }

    // --- revocations and tickets ---

    /** A revocation's JSON by id; expires when the revocation ends. */
    static String revocation(String id) {
        return "sb:revocation:{" + id + "}";
    }

    /** Sorted set of the revocation ids, scored by when each ends (ms): how a node lists them. */
    static final String REVOCATIONS = "sb:revocations";

    /** Pub/sub channel on which revocations made and lifted are announced to every node. */
    static final String REVOCATIONS_CHANNEL = "sb:revocations:announced";

    /**
     * A connection ticket's payload; expires with the ticket, deleted when taken. Named by the
     * SHA-256 of the ticket, not the ticket: whoever can list Redis's keys (a replica, a backup, a
     * MONITOR session) must not be able to open a session with a live ticket.
     */
    static String ticket(String ticket) {
        return "sb:ticket:{" + sha256(ticket) + "}";
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            // Every Java runtime has SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
