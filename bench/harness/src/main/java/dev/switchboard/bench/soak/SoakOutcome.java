package dev.switchboard.bench.soak;

import dev.switchboard.bench.client.SoakClient;
import java.util.List;

/**
 * What a soak run produced: the samples, the client's final counters, the end-of-run position
 * check, the publisher's figures and the server's own counts from {@code /api/v1/stats}.
 */
record SoakOutcome(List<SoakSample> samples, SoakClient.Counters counters, SoakClient.EndCheck end, long published,
                   long publishFailures, String firstPublishFailure, double publishRate, double meanRequestMs,
                   double maxRequestMs, long feedPublished, long feedFailures, String firstFeedFailure, double feedRate,
                   int topicsPublished, long serverSlowClosed, long serverDropped) {
}
