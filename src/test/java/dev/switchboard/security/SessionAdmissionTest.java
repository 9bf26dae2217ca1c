package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.LimitRefusals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionAdmissionTest {

    private final LimitRefusals refusals = new LimitRefusals();

    @Test
    void aUserBeyondItsLimitIsRefusedUntilASessionEnds() {
        SessionAdmission admission = new SessionAdmission(2, 0, refusals);
        SessionLease first = lease(admission.admit("alice", "10.0.0.1"));
        lease(admission.admit("alice", "10.0.0.2"));

        SessionAdmission.Admission third = admission.admit("alice", "10.0.0.3");

        assertThat(third).isInstanceOf(SessionAdmission.Admission.Refused.class);
        assertThat(((SessionAdmission.Admission.Refused) third).refusal().status()).isEqualTo(429);
        assertThat(refusals.count(LimitRefusals.Limit.SESSIONS_PER_USER)).isEqualTo(1);
        assertThat(admission.admit("bob", "10.0.0.1")).isInstanceOf(SessionAdmission.Admission.Admitted.class);
        first.release();
        first.release(); // twice: harmless, gives back one slot only
        assertThat(admission.admit("alice", "10.0.0.3")).isInstanceOf(SessionAdmission.Admission.Admitted.class);
        assertThat(admission.admit("alice", "10.0.0.3")).isInstanceOf(SessionAdmission.Admission.Refused.class);
    }

    @Test
    void anAddressBeyondItsLimitIsRefusedAndAUserRefusalGivesTheAddressSlotBack() {
        SessionAdmission admission = new SessionAdmission(1, 2, refusals);
        lease(admission.admit("alice", "10.0.0.1"));
        assertThat(admission.admit("alice", "10.0.0.1")).as("alice's second").isInstanceOf(
                SessionAdmission.Admission.Refused.class);
        lease(admission.admit(null, "10.0.0.1")); // a STOMP handshake: the address only
        assertThat(admission.admit("carol", "10.0.0.1")).isInstanceOf(SessionAdmission.Admission.Refused.class);
        assertThat(refusals.count(LimitRefusals.Limit.SESSIONS_PER_ADDRESS)).isEqualTo(1);
        assertThat(admission.addresses().count("10.0.0.1")).isEqualTo(2);
    }

    @Test
    void aHundredThousandUsersLeaveNothingBehindOnceTheirSessionsEnd() {
        SessionAdmission admission = new SessionAdmission(5, 5, refusals);
        List<SessionLease> leases = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            leases.add(lease(admission.admit("user-" + i, "10.0." + (i / 256 % 256) + "." + (i % 256))));
        }
        assertThat(admission.users().keys()).isEqualTo(100_000);
        leases.forEach(SessionLease::release);
        assertThat(admission.users().keys()).isZero();
        assertThat(admission.addresses().keys()).isZero();
    }

    @Test
    void simultaneousHandshakesOfOneUserCannotAllPass() throws Exception {
        SessionAdmission admission = new SessionAdmission(10, 0, refusals);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        try {
            for (int i = 0; i < 1_000; i++) {
                threads.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (admission.admit("mallory", "10.0.0.1") instanceof SessionAdmission.Admission.Admitted) {
                        admitted.incrementAndGet();
                    }
                });
            }
            start.countDown();
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(admitted).hasValue(10);
    }

    @Test
    void withoutLimitsNothingIsCounted() {
        SessionAdmission admission = new SessionAdmission(0, 0, refusals);
        for (int i = 0; i < 1_000; i++) {
            assertThat(lease(admission.admit("alice", "10.0.0.1"))).isSameAs(SessionLease.NONE);
        }
        assertThat(admission.users().keys()).isZero();
    }

    private static SessionLease lease(SessionAdmission.Admission admission) {
        assertThat(admission).isInstanceOf(SessionAdmission.Admission.Admitted.class);
        return ((SessionAdmission.Admission.Admitted) admission).lease();
    }
}
