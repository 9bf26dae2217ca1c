package dev.switchboard.bench.scenario;

import java.util.List;

/**
 * Whether one run's figures can be trusted: the client had CPU to spare (under 80 % of its
 * core, else the client, not the server, was measured), no connection closed that we did not
 * close, no subscriber missed a sequence number, nothing failed to connect.
 */
public record Check(int round, String target, String scenario, int n, double clientCpuPercent,
                    int failedConnections, int unexpectedCloses, long gaps, long reorders, int errorFrames,
                    List<String> problems) {

    public static final double CLIENT_CPU_LIMIT = 80.0;

    public boolean ok() {
        return clientCpuPercent < CLIENT_CPU_LIMIT && failedConnections == 0 && unexpectedCloses == 0 && gaps == 0
                && reorders == 0 && errorFrames == 0 && problems.isEmpty();
    }

    public static Check failed(int round, String target, String scenario, int n, String why) {
        return new Check(round, target, scenario, n, 0, 0, 0, 0, 0, 0, List.of(why));
    }
}
