/**
 * Cluster mode on Redis: the Redis implementations of the broker's seams (the cluster bus with its
 * data plane of publications and deliveries and its control plane of node-to-node commands, the
 * topic log, channel claims, the inbox, presence), and {@link dev.switchboard.cluster.RedisConnections},
 * the one Redis client of a node that they all share.
 *
 * <p>Imports {@code dev.switchboard.broker} and Lettuce, nothing else of the project. A Redis or bus
 * thread never writes to a socket: it calls the broker, which enqueues. Which implementation runs
 * (in-memory or Redis) is chosen once, at start-up, by the wiring in {@code dev.switchboard.config}.
 */
package dev.switchboard.cluster;
