package dev.switchboard.broker;

import java.util.Map;

/** One node's figures for {@code GET /api/v1/stats}: its name and counters, in the order to show them. */
public record NodeReport(String nodeId, Map<String, Long> figures) {

    public NodeReport {
        figures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(figures));
    }
}
