package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallPlanTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void eachGroupMovesToANewCallTopicEveryCallStaggeredByGroup() {
        CallPlan plan = new CallPlan(4, 1000 * SECOND, 60 * SECOND);
        assertThat(plan.callIndex(0, 1000 * SECOND)).isZero();
        assertThat(plan.callIndex(0, 1059 * SECOND)).isZero();
        assertThat(plan.callIndex(0, 1060 * SECOND)).isEqualTo(1);
        // group 2 is shifted by 2/4 of a call: its first call ends after 30 s
        assertThat(plan.callIndex(2, 1029 * SECOND)).isZero();
        assertThat(plan.callIndex(2, 1030 * SECOND)).isEqualTo(1);
        assertThat(CallPlan.call(2, 1)).isEqualTo("call-2-1");
    }

    @Test
    void publicationsGoRoundRobinOverEveryRoomAndCurrentCall() {
        CallPlan plan = new CallPlan(2, 0, 60 * SECOND);
        assertThat(plan.topicFor(0, 0)).isEqualTo("room-0");
        assertThat(plan.topicFor(1, 0)).isEqualTo("call-0-0");
        assertThat(plan.topicFor(2, 0)).isEqualTo("room-1");
        assertThat(plan.topicFor(3, 0)).isEqualTo("call-1-0");
        assertThat(plan.topicFor(4, 0)).isEqualTo("room-0");
        assertThat(plan.topicFor(3, 30 * SECOND)).isEqualTo("call-1-1");
    }

    @Test
    void fieldsAfterThePaddingAreReadFromTheEnd() {
        byte[] frame = ("{\"type\":\"message\",\"data\":{\"t\":12,\"pad\":\"\\\"topic\\\":\\\"x\"},\"epoch\":\"e1\",\"id\":\"a\","
                + "\"offset\":7,\"topic\":\"call-1-2\",\"ts\":1}").getBytes(StandardCharsets.UTF_8);
        assertThat(SoakClient.stringAfterLast(frame, 0, frame.length, Ascii.bytes("\"topic\":\""))).isEqualTo("call-1-2");
        assertThat(SoakClient.stringAfterLast(frame, 0, frame.length, Ascii.bytes("\"epoch\":\""))).isEqualTo("e1");
        assertThat(Ascii.numberAfterLast(frame, 0, frame.length, Ascii.bytes("\"offset\":"))).isEqualTo(7);
    }
}
