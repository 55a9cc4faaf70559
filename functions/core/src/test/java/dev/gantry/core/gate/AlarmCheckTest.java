package dev.gantry.core.gate;

import static dev.gantry.core.config.GateConfig.InsufficientData.FAIL;
import static dev.gantry.core.config.GateConfig.InsufficientData.PASS;
import static dev.gantry.core.config.GateConfig.InsufficientData.WAIT;
import static dev.gantry.core.gate.AlarmStates.State.ALARM;
import static dev.gantry.core.gate.AlarmStates.State.INSUFFICIENT_DATA;
import static dev.gantry.core.gate.AlarmStates.State.OK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.AlarmStates.AlarmState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AlarmCheckTest {

    private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    private static final Instant SINCE = Instant.parse("2026-03-02T08:00:00Z");
    /** Not the one-minute default, so a next look taken from anywhere else shows. */
    private static final Duration INTERVAL = Duration.ofMinutes(2);
    private static final String FIVE_XX = "payments-api-5xx";
    private static final String PREFIX = "payments-worker-";
    private static final String QUEUE_AGE = "payments-worker-queue-age";
    private static final String DLQ = "payments-worker-dlq";

    private final AlarmCheck check = new AlarmCheck();

    static Stream<Arguments> decisions() {
        return Stream.of(
                row("every watched alarm OK", WAIT,
                        List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, OK)),
                        Kind.PASS, null, null, "alarm payments-worker-queue-age: OK since 2026-03-02T08:00:00Z"),
                row("one alarm in ALARM fails: a firing alarm is a no, not a not-yet", WAIT,
                        List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, ALARM)),
                        Kind.FAIL, "in ALARM: payments-worker-queue-age", null,
                        "alarm payments-worker-queue-age: ALARM since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("several alarms in ALARM are all named, in the order read", WAIT,
                        List.of(alarm(QUEUE_AGE, ALARM), alarm(FIVE_XX, ALARM), alarm(DLQ, OK)),
                        Kind.FAIL, "in ALARM: payments-worker-queue-age, payments-api-5xx", null,
                        "alarm payments-api-5xx: ALARM since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("INSUFFICIENT_DATA waits by default, looking again after the interval", WAIT,
                        List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, INSUFFICIENT_DATA)),
                        Kind.WAIT, "INSUFFICIENT_DATA: payments-worker-queue-age", NOW.plus(INTERVAL),
                        "alarm payments-worker-queue-age: INSUFFICIENT_DATA since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("INSUFFICIENT_DATA configured to pass counts as OK and says so", PASS,
                        List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, INSUFFICIENT_DATA)),
                        Kind.PASS, null, null, "INSUFFICIENT_DATA: payments-worker-queue-age counts as OK for this gate"),
                row("INSUFFICIENT_DATA configured to fail fails", FAIL,
                        List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, INSUFFICIENT_DATA), alarm(DLQ, INSUFFICIENT_DATA)),
                        Kind.FAIL, "INSUFFICIENT_DATA: payments-worker-queue-age, payments-worker-dlq fails this gate", null,
                        "alarm payments-worker-dlq: INSUFFICIENT_DATA since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("an alarm in ALARM fails even where INSUFFICIENT_DATA would pass", PASS,
                        List.of(alarm(FIVE_XX, ALARM), alarm(QUEUE_AGE, INSUFFICIENT_DATA)),
                        Kind.FAIL, "in ALARM: payments-api-5xx", null,
                        "alarm payments-worker-queue-age: INSUFFICIENT_DATA since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("a named alarm that does not exist fails: a misspelt name would watch nothing", WAIT,
                        List.of(alarm(QUEUE_AGE, OK)),
                        Kind.FAIL, "alarm 'payments-api-5xx' does not exist", null, "alarm 'payments-api-5xx' does not exist"),
                row("a prefix no alarm starts with fails", WAIT,
                        List.of(alarm(FIVE_XX, OK)),
                        Kind.FAIL, "no alarm name starts with 'payments-worker-'", null, "no alarm name starts with 'payments-worker-'"),
                row("no alarm at all: both the name and the prefix are reported", WAIT,
                        List.of(),
                        Kind.FAIL, "alarm 'payments-api-5xx' does not exist; no alarm name starts with 'payments-worker-'", null,
                        "no alarm name starts with 'payments-worker-'"),
                row("a missing alarm is reported before a firing one", WAIT,
                        List.of(alarm(QUEUE_AGE, ALARM)),
                        Kind.FAIL, "alarm 'payments-api-5xx' does not exist", null,
                        "alarm payments-worker-queue-age: ALARM since 2026-03-02T08:00:00Z (Threshold Crossed)"),
                row("a name is matched exactly: a longer name does not stand in for it", WAIT,
                        List.of(alarm(FIVE_XX + "-canary", OK), alarm(QUEUE_AGE, OK)),
                        Kind.FAIL, "alarm 'payments-api-5xx' does not exist", null, "alarm payments-api-5xx-canary: OK since 2026-03-02T08:00:00Z"),
                row("a name is matched with its case: CloudWatch names are case-sensitive", WAIT,
                        List.of(alarm("Payments-API-5xx", OK), alarm(QUEUE_AGE, OK)),
                        Kind.FAIL, "alarm 'payments-api-5xx' does not exist", null, "alarm 'payments-api-5xx' does not exist"),
                row("a prefix is matched at the start of the name only", WAIT,
                        List.of(alarm(FIVE_XX, OK), alarm("old-" + QUEUE_AGE, OK)),
                        Kind.FAIL, "no alarm name starts with 'payments-worker-'", null, "alarm old-payments-worker-queue-age: OK since 2026-03-02T08:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesTheAlarmsCheck(String scenario, GateConfig.InsufficientData insufficientData, List<AlarmState> states, Kind kind,
            String reason, Instant nextLook, String evidenceLine) {
        // given
        GateConfig.Alarms alarms = new GateConfig.Alarms(List.of(FIVE_XX), List.of(PREFIX), insufficientData);

        // when
        CheckResult result = check.evaluate(alarms, states, null, NOW, INTERVAL);

        // then
        assertThat(result.check()).isEqualTo("alarms");
        switch (kind) {
            case PASS -> assertThat(result).isInstanceOf(CheckResult.Pass.class);
            case WAIT -> assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
                assertThat(wait.reason()).isEqualTo(reason);
                assertThat(wait.nextLook()).isEqualTo(nextLook);
            });
            case FAIL -> assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class, fail -> assertThat(fail.reason()).isEqualTo(reason));
        }
        assertThat(result.evidence()).contains(evidenceLine);
    }

    @Test
    void waitsWhenTheAlarmsCannotBeReadBecauseTheirStateIsUnknownNotBad() {
        // given
        GateConfig.Alarms alarms = new GateConfig.Alarms(List.of(FIVE_XX), List.of(), GateConfig.InsufficientData.FAIL);

        // when
        CheckResult result = check.evaluate(alarms, null, "Rate exceeded", NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.check()).isEqualTo("alarms");
            assertThat(wait.reason()).isEqualTo("alarms could not be read: Rate exceeded");
            assertThat(wait.nextLook()).isEqualTo(NOW.plus(INTERVAL));
            assertThat(wait.evidence()).containsExactly("alarms could not be read: Rate exceeded");
        });
    }

    @Test
    void evidenceDescribesEveryAlarmInTheOrderReadThenWhatIsMissing() {
        // given
        GateConfig.Alarms alarms = new GateConfig.Alarms(List.of(FIVE_XX, "payments-api-latency"), List.of(PREFIX), null);
        List<AlarmState> states = List.of(
                new AlarmState("payments-api-health", ALARM, "ALARM(payments-api-5xx) was true", SINCE, true),
                new AlarmState(FIVE_XX, OK, "Threshold Crossed: 1 datapoint [0.0] was not greater than 5.0", SINCE, false),
                new AlarmState(QUEUE_AGE, INSUFFICIENT_DATA, null, null, false));

        // when
        CheckResult result = check.evaluate(alarms, states, null, NOW, INTERVAL);

        // then: an OK alarm's reason is noise and left out; a composite alarm says it is one
        assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class,
                fail -> assertThat(fail.reason()).isEqualTo("alarm 'payments-api-latency' does not exist"));
        assertThat(result.evidence()).containsExactly(
                "composite alarm payments-api-health: ALARM since 2026-03-02T08:00:00Z (ALARM(payments-api-5xx) was true)",
                "alarm payments-api-5xx: OK since 2026-03-02T08:00:00Z",
                "alarm payments-worker-queue-age: INSUFFICIENT_DATA",
                "alarm 'payments-api-latency' does not exist");
    }

    @Test
    void passesWithOneLinePerAlarmAndNothingElse() {
        // given
        GateConfig.Alarms alarms = new GateConfig.Alarms(List.of(FIVE_XX), List.of(PREFIX), null);
        List<AlarmState> states = List.of(alarm(FIVE_XX, OK), alarm(QUEUE_AGE, OK), alarm(DLQ, OK));

        // when
        CheckResult result = check.evaluate(alarms, states, null, NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).containsExactly(
                "alarm payments-api-5xx: OK since 2026-03-02T08:00:00Z",
                "alarm payments-worker-queue-age: OK since 2026-03-02T08:00:00Z",
                "alarm payments-worker-dlq: OK since 2026-03-02T08:00:00Z");
    }

    @Test
    void refusesToDecideWithoutTheGatesAlarms() {
        assertThatThrownBy(() -> check.evaluate(null, List.of(), null, NOW, INTERVAL))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("config");
    }

    enum Kind { PASS, WAIT, FAIL }

    private static AlarmState alarm(String name, AlarmStates.State state) {
        return new AlarmState(name, state, "Threshold Crossed", SINCE, false);
    }

    private static Arguments row(String scenario, GateConfig.InsufficientData insufficientData, List<AlarmState> states, Kind kind,
            String reason, Instant nextLook, String evidenceLine) {
        return Arguments.of(scenario, insufficientData, states, kind, reason, nextLook, evidenceLine);
    }
}
