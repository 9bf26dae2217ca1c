package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Property test of the delivery guarantees (docs/protocol.md, Delivery guarantees) under concurrency: several
 * publisher sessions and one backend on the HTTP API publish to several topics at once, each in
 * its own random interleaving, and several subscribers take everything. Seeded; {@code -Dordering.seed=N} replays a run.
 */
class OrderingIT {

    private static final List<String> TOPICS = List.of("order-a", "order-b", "order-c");
    private static final int PUBLISHERS = 4;
    private static final int SUBSCRIBERS = 6;
    private static final int PER_PUBLISHER_AND_TOPIC = 4_000;
    /** One more publisher, a backend on the HTTP API: the other way into the same topics. */
    private static final int API_PUBLISHER = PUBLISHERS;
    private static final int API_PER_TOPIC = 400;
    private static final int PER_TOPIC = PUBLISHERS * PER_PUBLISHER_AND_TOPIC + API_PER_TOPIC;
    private static final int PER_SUBSCRIBER = PER_TOPIC * TOPICS.size();

    /*
     * This test is about order, not slow consumers: the bounds hold a whole run (49,200 frames of
     * ~140 characters per subscriber), so a subscriber that lags behind the unthrottled publishers
     * on a busy machine is never closed with 4008, which would show up as a gap.
     */
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("ordering",
            Map.of("outbound.max.messages", "100000", "outbound.max.bytes", "67108864",
                    "inbound.rate", "0", "inbound.bytes.rate", "0")); // unthrottled publishers, on purpose
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void everySubscriberSeesEachTopicGaplessOnceInOneOrderAndEachPublisherInItsSendingOrder() throws Exception {
        long seed = Long.getLong("ordering.seed", System.nanoTime());
        System.out.println("OrderingIT: seed " + seed + " (replay with -Dordering.seed=" + seed + ")");
        List<SequenceCheckingClient> subscribers = new ArrayList<>();
        List<ChannelClient> publishers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + 1);
        try {
            for (int s = 0; s < SUBSCRIBERS; s++) {
                SequenceCheckingClient subscriber = SequenceCheckingClient.connect(server,
                        TestTokens.token("reader-" + s), "order-sub-" + s);
                subscribers.add(subscriber);
                for (String topic : TOPICS) {
                    subscriber.subscribe(topic);
                }
            }
            for (int p = 0; p < PUBLISHERS; p++) {
                ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("writer-" + p, "publisher"),
                        "order-pub-" + p);
                publishers.add(publisher);
                publisher.expect("welcome");
            }
            await("subscriptions confirmed").atMost(Duration.ofSeconds(10)).until(() -> subscribers.stream()
                    .allMatch(subscriber -> TOPICS.stream().allMatch(subscriber::isSubscribed)));

            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            // offset in the 202 receipt of the API publisher's message seq (index seq - 1), per topic
            long[][] receiptOffsets = new long[TOPICS.size()][API_PER_TOPIC];
            String[] receiptEpochs = new String[TOPICS.size()];
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                List<Integer> order = interleaving(new Random(seed + p), PER_PUBLISHER_AND_TOPIC);
                runs.add(threads.submit(() -> {
                    start.await();
                    long[] seqByTopic = new long[TOPICS.size()];
                    for (int topic : order) {
                        long seq = ++seqByTopic[topic];
                        publishers.get(publisher).send("{\"type\":\"publish\",\"topic\":\"" + TOPICS.get(topic)
                                + "\",\"data\":{\"p\":" + publisher + ",\"seq\":" + seq + "}}");
                    }
                    return null;
                }));
            }
            List<Integer> apiOrder = interleaving(new Random(seed + API_PUBLISHER), API_PER_TOPIC);
            runs.add(threads.submit(() -> {
                start.await();
                int[] seqByTopic = new int[TOPICS.size()];
                for (int topic : apiOrder) {
                    int seq = ++seqByTopic[topic];
                    HttpApi.Response response = api.post("/api/v1/topics/" + TOPICS.get(topic) + "/messages",
                            "{\"data\":{\"p\":" + API_PUBLISHER + ",\"seq\":" + seq + "}}");
                    assertThat(response.status()).as("API publish %s", response.body()).isEqualTo(202);
                    receiptOffsets[topic][seq - 1] = response.json().getJsonNumber("offset").longValue();
                    receiptEpochs[topic] = response.json().getString("epoch");
                }
                return null;
            }));
            long started = System.nanoTime();
            start.countDown();
            StringBuilder durations = new StringBuilder();
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
                durations.append(String.format(" %.1f", (System.nanoTime() - started) / 1e9));
            }
            System.out.println("OrderingIT: publishers 0-" + (PUBLISHERS - 1) + " (native) and " + API_PUBLISHER
                    + " (HTTP API) done after, s:" + durations);

            await("every message at every subscriber").atMost(Duration.ofSeconds(30)).until(() -> subscribers.stream()
                    .allMatch(subscriber -> subscriber.topicMessages() >= PER_SUBSCRIBER || subscriber.isClosed()));

            for (SequenceCheckingClient subscriber : subscribers) {
                assertThat(subscriber.closeDescription()).as("%s was closed", subscriber).isNull();
                assertThat(subscriber.violations()).as("order at %s", subscriber).isEmpty();
                assertThat(subscriber.topicMessages()).as("messages at %s", subscriber).isEqualTo(PER_SUBSCRIBER);
                for (String topic : TOPICS) {
                    assertThat(subscriber.subscribedOffset(topic)).as("%s subscribed offset of %s", subscriber, topic)
                            .isZero();
                    assertThat(subscriber.lastOffset(topic)).as("%s last offset of %s", subscriber, topic)
                            .isEqualTo(PER_TOPIC);
                    for (int p = 0; p < PUBLISHERS; p++) {
                        assertThat(subscriber.lastSeq(topic, p)).as("%s last seq of publisher %d on %s", subscriber, p,
                                topic).isEqualTo(PER_PUBLISHER_AND_TOPIC);
                    }
                    assertThat(subscriber.lastSeq(topic, API_PUBLISHER)).as("%s last seq of the API publisher on %s",
                            subscriber, topic).isEqualTo(API_PER_TOPIC);
                }
            }
            // One order per topic: the same publisher message at the same offset for everyone, and
            // where the API's receipt said it would be.
            for (int t = 0; t < TOPICS.size(); t++) {
                String topic = TOPICS.get(t);
                long[] reference = subscribers.get(0).origins(topic);
                assertThat(reference).hasSize(PER_TOPIC);
                for (int seq = 1; seq <= API_PER_TOPIC; seq++) {
                    long offset = receiptOffsets[t][seq - 1];
                    assertThat(offset).as("receipt offset of API message %d on %s", seq, topic).isBetween(1L,
                            (long) PER_TOPIC);
                    assertThat(reference[(int) offset - 1]).as("message at the receipt's offset %d on %s", offset, topic)
                            .isEqualTo((long) API_PUBLISHER << 32 | seq);
                }
                assertThat(receiptEpochs[t]).isEqualTo(subscribers.get(0).epoch(topic));
                for (SequenceCheckingClient subscriber : subscribers.subList(1, SUBSCRIBERS)) {
                    assertThat(subscriber.origins(topic)).as("order of %s at %s", topic, subscriber)
                            .isEqualTo(reference);
                }
            }
            for (ChannelClient publisher : publishers) {
                assertThat(publisher.isOpen()).isTrue();
                assertThat(publisher.pendingFrames()).as("frames (errors) sent to a publisher").isZero();
            }
        } finally {
            threads.shutdownNow();
            for (SequenceCheckingClient subscriber : subscribers) {
                subscriber.close();
            }
            for (ChannelClient publisher : publishers) {
                publisher.close();
            }
        }
    }

    /** Each topic index {@code perTopic} times, shuffled. */
    private static List<Integer> interleaving(Random random, int perTopic) {
        List<Integer> order = new ArrayList<>(perTopic * TOPICS.size());
        for (int topic = 0; topic < TOPICS.size(); topic++) {
            order.addAll(Collections.nCopies(perTopic, topic));
        }
        Collections.shuffle(order, random);
        return order;
    }
}
