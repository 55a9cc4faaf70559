package dev.gantry.core.gate;

import static dev.gantry.core.gate.GateVerdict.Outcome.FAILED;
import static dev.gantry.core.gate.GateVerdict.Outcome.PASSED;
import static dev.gantry.core.gate.GateVerdict.Outcome.TIMED_OUT;
import static dev.gantry.core.gate.GateVerdict.Outcome.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.GateVerdict.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GateEngineTest {

    /** The first evaluation of the release: the timeout (4h) counts from here. */
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(4));
    private static final GateConfig STEADY_10M = gate(Duration.ofMinutes(10), Duration.ofHours(4));
    private static final GateConfig NO_STEADY = gate(Duration.ZERO, Duration.ofHours(4));

    private static final CheckResult ALARMS_OK = CheckResult.pass("alarms", List.of("payments-api-5xx: OK"));
    private static final CheckResult FREEZE_OPEN = CheckResult.pass("freeze", List.of("no freeze window"));
    private static final CheckResult APPROVALS_MISSING = CheckResult.waitUntil("approvals", "1 of 2 approvals", Instant.MAX, List.of());
    private static final CheckResult ALARMS_UNREAD = CheckResult.unanswered("alarms", "alarms could not be read: throttled",
            T0.plusSeconds(60), List.of());
    private static final CheckResult FAIL_5XX = CheckResult.fail("alarms", "payments-api-5xx in ALARM", List.of("payments-api-5xx: ALARM"));
    private static final CheckResult SOAKING = CheckResult.waitUntil("soak", "soaking in staging until 2026-03-02T13:10:00Z",
            T0.plus(Duration.ofMinutes(250)), List.of());

    private final GateEngine engine = new GateEngine();

    static Stream<Arguments> decisions() {
        return Stream.of(
                row("first evaluation, all pass, no minSteady: passes at once",
                        NO_STEADY, List.of(ALARMS_OK, FREEZE_OPEN), GateState.INITIAL, T0,
                        PASSED, null, new GateState(T0, T0)),
                row("first evaluation, all pass but not yet steady: waits until minSteady is reached",
                        STEADY_10M, List.of(ALARMS_OK, FREEZE_OPEN), GateState.INITIAL, T0,
                        WAITING, T0.plusSeconds(600), new GateState(T0, T0)),
                row("kept passing one second short of minSteady: still waits",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(T0, T0), T0.plusSeconds(599),
                        WAITING, T0.plusSeconds(600), new GateState(T0, T0)),
                row("kept passing for exactly minSteady: passes",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(T0, T0), T0.plusSeconds(600),
                        PASSED, null, new GateState(T0, T0)),
                row("was passing, then a check flips to wait: the steady clock resets",
                        STEADY_10M, List.of(ALARMS_OK, waitFor("soak", T0.plus(Duration.ofMinutes(30)))), new GateState(T0, T0), T0.plusSeconds(300),
                        WAITING, T0.plus(Duration.ofMinutes(30)), new GateState(null, T0)),
                row("passing again after a reset: minSteady counts from now, not from the first pass",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(null, T0), T0.plus(Duration.ofMinutes(30)),
                        WAITING, T0.plus(Duration.ofMinutes(40)), new GateState(T0.plus(Duration.ofMinutes(30)), T0)),
                row("fail beats wait",
                        STEADY_10M, List.of(waitFor("soak", T0.plusSeconds(60)), FAIL_5XX), new GateState(null, T0), T0.plusSeconds(30),
                        FAILED, null, new GateState(null, T0)),
                row("fail beats pass and resets the steady clock",
                        NO_STEADY, List.of(FREEZE_OPEN, FAIL_5XX), new GateState(T0, T0), T0.plusSeconds(30),
                        FAILED, null, new GateState(null, T0)),
                row("fail beats timeout: the refusal is the more specific reason",
                        NO_STEADY, List.of(FAIL_5XX), new GateState(null, T0), DEADLINE.plusSeconds(60),
                        FAILED, null, new GateState(null, T0)),
                row("waiting at exactly the timeout: timed out",
                        STEADY_10M, List.of(waitFor("soak", DEADLINE.plusSeconds(600))), new GateState(null, T0), DEADLINE,
                        TIMED_OUT, null, new GateState(null, T0)),
                row("waiting one second before the timeout: still waiting, next look at the timeout",
                        STEADY_10M, List.of(waitFor("soak", DEADLINE.plusSeconds(600))), new GateState(null, T0), DEADLINE.minusSeconds(1),
                        WAITING, DEADLINE, new GateState(null, T0)),
                row("all pass but not steady at exactly the timeout: timed out",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(DEADLINE.minusSeconds(300), T0), DEADLINE,
                        TIMED_OUT, null, new GateState(DEADLINE.minusSeconds(300), T0)),
                row("steady reached at exactly the timeout: passing wins over timing out",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(DEADLINE.minusSeconds(600), T0), DEADLINE,
                        PASSED, null, new GateState(DEADLINE.minusSeconds(600), T0)),
                row("steady would come after the timeout: next look is the timeout",
                        STEADY_10M, List.of(ALARMS_OK), new GateState(DEADLINE.minusSeconds(300), T0), DEADLINE.minusSeconds(120),
                        WAITING, DEADLINE, new GateState(DEADLINE.minusSeconds(300), T0)),
                row("several waits: next look is the earliest of them",
                        STEADY_10M, List.of(waitFor("soak", T0.plusSeconds(1200)), waitFor("freeze", T0.plusSeconds(300)), ALARMS_OK), GateState.INITIAL, T0,
                        WAITING, T0.plusSeconds(300), new GateState(null, T0)),
                row("a wait that only an outside event can end: next look is the timeout",
                        STEADY_10M, List.of(waitFor("approvals", Instant.MAX)), GateState.INITIAL, T0,
                        WAITING, DEADLINE, new GateState(null, T0)),
                row("a check whose next look already passed: look again now, not in the past",
                        STEADY_10M, List.of(waitFor("soak", T0.minusSeconds(60))), new GateState(null, T0), T0.plusSeconds(120),
                        WAITING, T0.plusSeconds(120), new GateState(null, T0)),
                row("no checks evaluated: fails rather than passing on nothing",
                        NO_STEADY, List.of(), GateState.INITIAL, T0,
                        FAILED, null, new GateState(null, T0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesTheGate(String scenario, GateConfig gate, List<CheckResult> checks, GateState previous, Instant now,
            Outcome outcome, Instant nextLook, GateState state) {
        // when
        GateVerdict verdict = engine.decide(gate, checks, previous, now);

        // then
        assertThat(verdict.outcome()).isEqualTo(outcome);
        assertThat(verdict.nextLook()).isEqualTo(nextLook);
        assertThat(verdict.state()).isEqualTo(state);
        assertThat(verdict.checks()).isEqualTo(checks);
        assertThat(verdict.gate()).isEqualTo(gate.name());
    }

    @Test
    void failedVerdictNamesTheFailingCheckAndItsReason() {
        // given
        List<CheckResult> checks = List.of(FREEZE_OPEN, FAIL_5XX, waitFor("soak", T0.plusSeconds(60)));

        // when
        GateVerdict verdict = engine.decide(NO_STEADY, checks, GateState.INITIAL, T0);

        // then
        assertThat(verdict.reason()).isEqualTo("alarms: payments-api-5xx in ALARM");
        assertThat(verdict.outcome().failsRelease()).isTrue();
    }

    @Test
    void waitingVerdictSaysWhatItWaitsForAndNeverFailsTheRelease() {
        // given
        List<CheckResult> checks = List.of(ALARMS_OK, CheckResult.waitUntil("approvals", "1 of 2 approvals", Instant.MAX, List.of()));

        // when
        GateVerdict verdict = engine.decide(NO_STEADY, checks, GateState.INITIAL, T0);

        // then
        assertThat(verdict.outcome()).isEqualTo(WAITING);
        assertThat(verdict.reason()).isEqualTo("waiting for approvals: 1 of 2 approvals");
        assertThat(verdict.outcome().failsRelease()).isFalse();
    }

    @Test
    void timedOutVerdictFailsTheReleaseAndSaysWhatItWasStillWaitingFor() {
        // given
        List<CheckResult> checks = List.of(CheckResult.waitUntil("approvals", "1 of 2 approvals", Instant.MAX, List.of()));

        // when
        GateVerdict verdict = engine.decide(NO_STEADY, checks, new GateState(null, T0), DEADLINE);

        // then
        assertThat(verdict.outcome()).isEqualTo(TIMED_OUT);
        assertThat(verdict.outcome().failsRelease()).isTrue();
        assertThat(verdict.reason()).isEqualTo("waited PT4H (until 2026-03-02T13:00:00Z) and still approvals: 1 of 2 approvals");
    }

    @Test
    void aFreezeLongerThanTheTimeoutHoldsTheReleaseWithoutFailingIt() {
        // given: a weekend freeze, far longer than the gate's 4 hours, holding a release that arrived at T0
        List<CheckResult> frozen = List.of(CheckResult.waitUntil("freeze", "held until 2026-03-09T07:00:00Z",
                Instant.parse("2026-03-09T07:00:00Z"), List.of()));
        List<CheckResult> open = List.of(CheckResult.waitUntil("approvals", "1 of 2 approvals", Instant.MAX, List.of()));

        // when: still frozen long past the deadline, then open, waiting for approvals
        GateVerdict held = engine.decide(NO_STEADY, frozen, new GateState(null, T0), DEADLINE.plus(Duration.ofDays(2)));
        GateVerdict afterFreeze = engine.decide(NO_STEADY, open, held.state(), DEADLINE.plus(Duration.ofDays(2)).plus(Duration.ofHours(3)));
        GateVerdict timedOut = engine.decide(NO_STEADY, open, held.state(), DEADLINE.plus(Duration.ofDays(2)).plus(Duration.ofHours(4)));

        // then: the timeout counts from the last evaluation that found it held
        assertThat(held.outcome()).isEqualTo(WAITING);
        assertThat(afterFreeze.outcome()).isEqualTo(WAITING);
        assertThat(timedOut.outcome()).isEqualTo(TIMED_OUT);
    }

    @Test
    void aFreezeThatCouldNotBeReadTimesTheReleaseOutInsteadOfHoldingItForGood() {
        // given: a change calendar nobody can read (a misspelt name, a missing permission), at every evaluation
        List<CheckResult> unread = List.of(CheckResult.unanswered("freeze", "held until 2026-03-02T09:02:00Z: change calendar "
                + "prod-releases could not be read", T0.plusSeconds(120), List.of()));

        // when
        GateVerdict before = engine.decide(NO_STEADY, unread, new GateState(null, T0), DEADLINE.minusSeconds(1));
        GateVerdict at = engine.decide(NO_STEADY, unread, before.state(), DEADLINE);

        // then: the timeout ran from the first evaluation, as for any wait, rather than restarting as a freeze's does
        assertThat(before.outcome()).isEqualTo(WAITING);
        assertThat(at.outcome()).isEqualTo(TIMED_OUT);
        assertThat(at.reason()).contains("change calendar prod-releases could not be read");
    }

    @Test
    void carriesStateFromOneEvaluationToTheNextUntilSteady() {
        // given: the example's production gate, with minSteady added
        GateConfig gate = ConfigLoader.parse(EXAMPLE_YAML, "gantry.yml").gate("production").orElseThrow();

        // when: passing, interrupted by a wait, passing again
        GateVerdict first = engine.decide(gate, List.of(ALARMS_OK), GateState.INITIAL, T0);
        GateVerdict second = engine.decide(gate, List.of(waitFor("soak", T0.plusSeconds(900))), first.state(), T0.plusSeconds(600));
        GateVerdict third = engine.decide(gate, List.of(ALARMS_OK), second.state(), T0.plusSeconds(900));
        GateVerdict fourth = engine.decide(gate, List.of(ALARMS_OK), third.state(), T0.plusSeconds(900 + 1200));

        // then: the steady clock restarted at the third evaluation, the timeout clock never did
        assertThat(first.outcome()).isEqualTo(WAITING);
        assertThat(second.outcome()).isEqualTo(WAITING);
        assertThat(third.nextLook()).isEqualTo(T0.plusSeconds(900 + 1200));
        assertThat(fourth.outcome()).isEqualTo(PASSED);
        assertThat(fourth.state()).isEqualTo(new GateState(T0.plusSeconds(900), T0));
    }

    static Stream<Arguments> proceedingAtTheTimeout() {
        GateConfig proceedSteady = proceedingGate(Duration.ofMinutes(10));
        GateConfig proceed = proceedingGate(Duration.ZERO);
        return Stream.of(
                Arguments.of("still waiting at exactly the timeout: passes, saying it proceeded",
                        proceed, List.of(ALARMS_OK, SOAKING), new GateState(null, T0), DEADLINE,
                        PASSED, "waited PT4H (until 2026-03-02T13:00:00Z); still soak: soaking in staging until 2026-03-02T13:10:00Z, "
                                + "and the gate is configured to proceed at its timeout", new GateState(null, T0)),
                Arguments.of("still waiting past the timeout: passes the same way",
                        proceed, List.of(SOAKING), new GateState(null, T0), DEADLINE.plusSeconds(90),
                        PASSED, "waited PT4H (until 2026-03-02T13:00:00Z); still soak: soaking in staging until 2026-03-02T13:10:00Z, "
                                + "and the gate is configured to proceed at its timeout", new GateState(null, T0)),
                Arguments.of("all pass but not yet steady at the timeout: passes, saying what it did not wait for",
                        proceedSteady, List.of(ALARMS_OK), new GateState(DEADLINE.minusSeconds(300), T0), DEADLINE,
                        PASSED, "waited PT4H (until 2026-03-02T13:00:00Z); still all checks pass but not yet for PT10M, "
                                + "and the gate is configured to proceed at its timeout", new GateState(DEADLINE.minusSeconds(300), T0)),
                Arguments.of("a second before the timeout: still waiting, as without proceed",
                        proceed, List.of(SOAKING), new GateState(null, T0), DEADLINE.minusSeconds(1),
                        WAITING, "waiting for soak: soaking in staging until 2026-03-02T13:10:00Z", new GateState(null, T0)),
                Arguments.of("approvals still missing at the timeout: times out, for time passing decides nothing for the approvers",
                        proceed, List.of(ALARMS_OK, APPROVALS_MISSING), new GateState(null, T0), DEADLINE,
                        TIMED_OUT, "waited PT4H (until 2026-03-02T13:00:00Z) and still approvals: 1 of 2 approvals; "
                                + "onTimeout: proceed waives neither missing approvals nor a check that could not answer", new GateState(null, T0)),
                Arguments.of("approvals missing beside a soak at the timeout: times out all the same",
                        proceed, List.of(SOAKING, APPROVALS_MISSING), new GateState(null, T0), DEADLINE.plusSeconds(90),
                        TIMED_OUT, "waited PT4H (until 2026-03-02T13:00:00Z) and still soak: soaking in staging until 2026-03-02T13:10:00Z; "
                                + "approvals: 1 of 2 approvals; onTimeout: proceed waives neither missing approvals nor a check that could not "
                                + "answer", new GateState(null, T0)),
                Arguments.of("alarms that could not be read at the timeout: times out, for nobody knows what they would have said",
                        proceed, List.of(ALARMS_UNREAD), new GateState(null, T0), DEADLINE,
                        TIMED_OUT, "waited PT4H (until 2026-03-02T13:00:00Z) and still alarms: alarms could not be read: throttled; "
                                + "onTimeout: proceed waives neither missing approvals nor a check that could not answer", new GateState(null, T0)),
                Arguments.of("a failed check past the timeout still fails: proceed never overrides a refusal",
                        proceed, List.of(SOAKING, FAIL_5XX), new GateState(null, T0), DEADLINE.plusSeconds(90),
                        FAILED, "alarms: payments-api-5xx in ALARM", new GateState(null, T0)),
                Arguments.of("a failed check at exactly the timeout still fails",
                        proceed, List.of(FAIL_5XX), new GateState(null, T0), DEADLINE,
                        FAILED, "alarms: payments-api-5xx in ALARM", new GateState(null, T0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proceedingAtTheTimeout")
    void proceedsAtTheTimeoutOnlyWhenNothingFailedAndWhatWaitsMayBeWaived(String scenario, GateConfig gate, List<CheckResult> checks, GateState previous,
            Instant now, Outcome outcome, String reason, GateState state) {
        // when
        GateVerdict verdict = engine.decide(gate, checks, previous, now);

        // then
        assertThat(verdict.outcome()).isEqualTo(outcome);
        assertThat(verdict.reason()).isEqualTo(reason);
        assertThat(verdict.state()).isEqualTo(state);
        assertThat(verdict.outcome().failsRelease()).isEqualTo(outcome != PASSED && outcome != WAITING);
    }

    @Test
    void proceedingPassesWithoutANextLook() {
        // when
        GateVerdict verdict = engine.decide(proceedingGate(Duration.ZERO), List.of(SOAKING), new GateState(null, T0), DEADLINE);

        // then
        assertThat(verdict.outcome()).isEqualTo(PASSED);
        assertThat(verdict.nextLook()).isNull();
        assertThat(verdict.checks()).containsExactly(SOAKING);
    }

    @Test
    void readsProceedFromTheConfiguration() {
        // given
        GateConfig gate = ConfigLoader.parse(EXAMPLE_YAML + "    onTimeout: proceed\n", "gantry.yml").gate("production").orElseThrow();

        // when
        GateVerdict verdict = engine.decide(gate, List.of(SOAKING), new GateState(null, T0), DEADLINE);

        // then
        assertThat(verdict.outcome()).isEqualTo(PASSED);
    }

    private static final String EXAMPLE_YAML = """
            version: 1
            services:
              - name: app
                repository: team/app
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: main
                    service: app
                    gate: production
            gates:
              - name: production
                alarms:
                  names: [app-5xx]
                minSteady: 20m
                timeout: 4h
            """;

    private static CheckResult waitFor(String check, Instant nextLook) {
        return CheckResult.waitUntil(check, "not yet", nextLook, List.of());
    }

    private static GateConfig gate(Duration minSteady, Duration timeout) {
        return new GateConfig("production", new GateConfig.Alarms(List.of("payments-api-5xx"), null, null), null, null, null, null, minSteady, timeout, null, null);
    }

    private static GateConfig proceedingGate(Duration minSteady) {
        return new GateConfig("production", new GateConfig.Alarms(List.of("payments-api-5xx"), null, null), null, null, null, null,
                minSteady, Duration.ofHours(4), null, GateConfig.TimeoutAction.PROCEED);
    }

    private static Arguments row(String scenario, GateConfig gate, List<CheckResult> checks, GateState previous, Instant now,
            Outcome outcome, Instant nextLook, GateState state) {
        return Arguments.of(scenario, gate, checks, previous, now, outcome, nextLook, state);
    }
}
