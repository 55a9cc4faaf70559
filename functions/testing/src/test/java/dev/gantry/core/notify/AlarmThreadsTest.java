package dev.gantry.core.notify;

import static dev.gantry.core.notify.Story.REGION;
import static dev.gantry.core.notify.Story.SERVICE;
import static dev.gantry.core.notify.Story.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryGateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlarmThreadsTest {

    private static final GantryConfig CONFIG = Fixtures.exampleConfig();

    private final InMemoryGateStore gates = new InMemoryGateStore();

    @BeforeEach
    void aReleaseWaitsAtTheProductionGate() {
        gates.create(Story.atGate(T0));
    }

    @Test
    void tellsGantrysOwnAlarmInItsOperationsThread() {
        AlarmThreads alarms = new AlarmThreads(CONFIG, gates, "Gantry-");

        assertThat(alarms.threadsOf("Gantry-failed-invocations-depth", REGION))
                .containsExactly(ThreadKey.operations("Gantry-failed-invocations-depth", REGION));
    }

    @Test
    void tellsAWatchedAlarmInTheThreadsOfTheReleasesWaitingOnIt() {
        AlarmThreads alarms = new AlarmThreads(CONFIG, gates, "Gantry-");

        assertThat(alarms.threadsOf("payments-api-5xx", REGION)).containsExactly(ThreadKey.release(SERVICE, Story.DIGEST));
        assertThat(alarms.threadsOf("checkout-web-latency", REGION)).isEmpty();
    }

    @Test
    void takesNoAlarmForGantrysOwnWithoutAPrefix() {
        AlarmThreads alarms = new AlarmThreads(CONFIG, gates);

        assertThat(alarms.threadsOf("Gantry-failed-invocations-depth", REGION)).isEmpty();
    }

    @Test
    void takesOnlyNamesStartingWithThePrefixForGantrysOwn() {
        AlarmThreads alarms = new AlarmThreads(CONFIG, gates, "Gantry-");

        assertThat(alarms.threadsOf("GantryLike-errors", REGION)).isEmpty();
        assertThat(alarms.threadsOf("team-Gantry-errors", REGION)).isEmpty();
    }

    @Test
    void refusesGantrysOwnAlarmWithoutTheRegionItsThreadIsKeyedBy() {
        AlarmThreads alarms = new AlarmThreads(CONFIG, gates, "Gantry-");

        assertThatThrownBy(() -> alarms.threadsOf("Gantry-failed-invocations-depth", null))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("region: missing");
    }

    @Test
    void refusesABlankPrefixThatWouldClaimEveryAlarm() {
        assertThatThrownBy(() -> new AlarmThreads(CONFIG, gates, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every alarm");
    }
}
