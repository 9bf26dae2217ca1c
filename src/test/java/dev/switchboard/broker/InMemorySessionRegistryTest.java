package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySessionRegistryTest {

    private final InMemorySessionRegistry registry = new InMemorySessionRegistry();
    private final RecordingSubscriber alice1 = new RecordingSubscriber("s1", "alice", "agent-1");
    private final RecordingSubscriber alice2 = new RecordingSubscriber("s2", "alice", null);
    private final RecordingSubscriber bob = new RecordingSubscriber("s3", "bob", "agent-3");

    @Test
    void emptyRegistryHasNoSessions() {
        assertThat(registry.size()).isZero();
        assertThat(registry.all()).isEmpty();
        assertThat(registry.ofUser("alice")).isEmpty();
        assertThat(registry.find("s1")).isEmpty();
    }

    @Test
    void sessionsAreFoundByIdAndByUser() {
        registry.add(alice1);
        registry.add(alice2);
        registry.add(bob);

        assertThat(registry.size()).isEqualTo(3);
        assertThat(registry.find("s2")).containsSame(alice2);
        assertThat(registry.ofUser("alice")).containsExactly(alice1, alice2);
        assertThat(registry.ofUser("bob")).containsExactly(bob);
        assertThat(registry.all()).containsExactlyInAnyOrder(alice1, alice2, bob);
    }

    @Test
    void removeForgetsTheSessionEverywhere() {
        registry.add(alice1);
        registry.add(alice2);

        registry.remove(alice1);

        assertThat(registry.size()).isEqualTo(1);
        assertThat(registry.find("s1")).isEmpty();
        assertThat(registry.ofUser("alice")).containsExactly(alice2);
        assertThat(registry.all()).containsExactly(alice2);
    }

    @Test
    void removingTheLastSessionOfAUserLeavesNoEntry() {
        registry.add(bob);
        registry.remove(bob);

        assertThat(registry.ofUser("bob")).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void removingAnUnknownSessionIsHarmless() {
        registry.add(alice1);

        registry.remove(bob);
        registry.remove(bob);

        assertThat(registry.all()).containsExactly(alice1);
    }

    @Test
    void userListReturnedEarlierDoesNotChange() {
        registry.add(alice1);
        List<Subscriber> before = registry.ofUser("alice");

        registry.add(alice2);
        registry.remove(alice1);

        assertThat(before).containsExactly(alice1);
        assertThat(registry.ofUser("alice")).containsExactly(alice2);
    }

    @Test
    void allReturnedEarlierDoesNotChange() {
        registry.add(alice1);
        Collection<Subscriber> before = registry.all();

        registry.add(bob);
        registry.remove(alice1);

        assertThat(before).containsExactly(alice1);
    }

    @Test
    void snapshotsCannotBeModifiedByTheirReader() {
        registry.add(alice1);

        assertThatThrownBy(() -> registry.ofUser("alice").add(bob)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> registry.all().add(bob)).isInstanceOf(UnsupportedOperationException.class);
    }
}
