package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GateServiceTest {

    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:" + "a1".repeat(32);
    private static final String NEWER = "sha256:" + "b2".repeat(32);
    private static final String OTHER = "sha256:" + "c3".repeat(32);
    private static final Instant PUSHED_AT = Instant.parse("2026-11-23T09:55:00Z");
    /** U0AAAA001 pushes as dev@example.com: the gate must recognise them when they try to approve. */
    private static final String COMMIT_EMAIL = "Dev@Example.com";

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final InMemoryChangeCalendars calendars = new InMemoryChangeCalendars();
    private final InMemoryCustomChecks custom = new InMemoryCustomChecks();

    @Test
    void createsAWaitingRecordOnFirstArrivalAndEvaluatesIt() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                approvals: { required: 1, users: [U0AAAA002] }
                interval: 5m
                """);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);

        GateRecord record = gates.evaluate(arriving("prod", DIGEST));

        assertThat(record.status()).isEqualTo(GateStatus.WAITING);
        assertThat(record.reason()).isEqualTo("waiting for approvals: 0 of 1 approvals");
        assertThat(record.gate()).isEqualTo("production");
        assertThat(record.createdAt()).isEqualTo(clock.instant());
        assertThat(record.lastEvaluatedAt()).isEqualTo(clock.instant());
        assertThat(record.dueAt()).as("an approval can come any time: the sweep looks again after the interval")
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(store.find(key("prod", DIGEST))).contains(record);
        assertThat(alarms.calls()).isEqualTo(1);
    }

    @Test
    void asksAwsNothingUntilTheIntervalHasPassed() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                approvals: { required: 1, users: [U0AAAA002] }
                interval: 5m
                """);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        custom.givenPass("change-ticket", "CHG-1 approved");
        GateRecord first = gates.evaluate(arriving("prod", DIGEST));

        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        GateRecord early = gates.evaluate(arriving("prod", DIGEST));

        assertThat(early).isEqualTo(first);
        assertThat(alarms.calls()).isEqualTo(1);
        assertThat(custom.calls()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        GateRecord due = gates.evaluate(arriving("prod", DIGEST));

        assertThat(due.lastEvaluatedAt()).isEqualTo(clock.instant());
        assertThat(due.version()).isGreaterThan(first.version());
        assertThat(alarms.calls()).isEqualTo(2);
        assertThat(custom.calls()).isEqualTo(2);
    }

    @Test
    void looksAgainWhenACustomCheckSaysItsAnswerMayChange() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                interval: 5m
                """);
        custom.givenWait("change-ticket", "CHG-1 awaits the CAB", Duration.ofMinutes(2));

        GateRecord waiting = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));
        gates.evaluate(arriving("prod", DIGEST));
        int callsBeforeTheNextLook = custom.calls();
        clock.advance(Duration.ofMinutes(1));
        gates.evaluate(arriving("prod", DIGEST));

        assertThat(waiting.status()).isEqualTo(GateStatus.WAITING);
        assertThat(waiting.reason()).isEqualTo("waiting for custom:change-ticket: CHG-1 awaits the CAB");
        assertThat(waiting.nextLook()).isEqualTo(Instant.parse("2026-11-23T10:02:00Z"));
        assertThat(waiting.dueAt()).isEqualTo(waiting.nextLook());
        assertThat(callsBeforeTheNextLook).isEqualTo(1);
        assertThat(custom.calls()).isEqualTo(2);
    }

    @Test
    void reEvaluatesAtOnceWhenADecisionIsRecorded() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                approvals: { required: 1, users: [U0AAAA002] }
                interval: 5m
                """);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofSeconds(20));

        GateRecord decided = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));

        assertThat(decided.status()).isEqualTo(GateStatus.PASSED);
        assertThat(decided.lastEvaluatedAt()).isEqualTo(clock.instant());
        assertThat(alarms.calls()).isEqualTo(2);
    }

    @Test
    void seesADecisionRecordedInTheSameInstantAsTheLastEvaluation() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                interval: 5m
                """);
        gates.evaluate(arriving("prod", DIGEST));

        GateRecord decided = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));

        assertThat(decided.status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void passesWhenNOfMAllowedPeopleApproveTheDigest() {
        GateService gates = gateWith("""
                approvals: { required: 2, users: [U0AAAA001, U0AAAA002, U0AAAA003] }
                """);
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofSeconds(5));

        GateRecord one = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));
        clock.advance(Duration.ofSeconds(5));
        GateRecord sameAgain = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));
        clock.advance(Duration.ofSeconds(5));
        GateRecord outsider = gates.decide(key("prod", DIGEST), approve("U0ZZZZ999", DIGEST));
        clock.advance(Duration.ofSeconds(5));
        GateRecord two = gates.decide(key("prod", DIGEST), approve("U0AAAA003", DIGEST));

        assertThat(one.reason()).isEqualTo("waiting for approvals: 1 of 2 approvals");
        assertThat(sameAgain.reason()).as("one person counts once").isEqualTo("waiting for approvals: 1 of 2 approvals");
        assertThat(outsider.reason()).isEqualTo("waiting for approvals: 1 of 2 approvals");
        assertThat(two.status()).isEqualTo(GateStatus.PASSED);
        assertThat(two.decisions()).extracting(Approval::userId).containsExactly("U0AAAA002", "U0AAAA002", "U0ZZZZ999", "U0AAAA003");
    }

    @Test
    void doesNotCountAnApprovalByThePersonWhoTriggeredTheRelease() {
        GateService gates = gateWith("""
                approvals: { required: 2, users: [U0AAAA001, U0AAAA002, U0AAAA003] }
                """);
        gates.evaluate(arriving("prod", DIGEST, COMMIT_EMAIL));
        clock.advance(Duration.ofSeconds(5));

        gates.decide(key("prod", DIGEST), approve("U0AAAA001", DIGEST));
        clock.advance(Duration.ofSeconds(5));
        GateRecord withSelfApproval = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));
        clock.advance(Duration.ofSeconds(5));
        GateRecord withAnotherApprover = gates.decide(key("prod", DIGEST), approve("U0AAAA003", DIGEST));

        assertThat(withSelfApproval.status()).isEqualTo(GateStatus.WAITING);
        assertThat(withSelfApproval.reason()).isEqualTo("waiting for approvals: 1 of 2 approvals");
        assertThat(latestCheck(withSelfApproval, "approvals").evidence())
                .contains("not counted: U0AAAA001 triggered the release and cannot approve it");
        assertThat(withAnotherApprover.status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void aNewerDigestSupersedesTheWaitingOneInItsOwnEnvironmentOnly() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """);
        gates.evaluate(arriving("prod", DIGEST));
        gates.evaluate(arriving("prod-us", DIGEST));
        gates.evaluate(arrivingAtCheckout(OTHER));
        clock.advance(Duration.ofMinutes(1));

        GateRecord newer = gates.evaluate(arriving("prod", NEWER));

        GateRecord older = store.find(key("prod", DIGEST)).orElseThrow();
        assertThat(older.status()).isEqualTo(GateStatus.SUPERSEDED);
        assertThat(older.reason()).isEqualTo("replaced at the gate by a newer digest, " + new ImageDigest(NEWER).shortForm());
        assertThat(older.nextLook()).isNull();
        assertThat(older.dueAt()).as("the sweep has nothing left to do with it").isNull();
        assertThat(newer.status()).isEqualTo(GateStatus.WAITING);
        assertThat(store.find(key("prod-us", DIGEST)).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
        assertThat(store.find(new ReleaseKey("checkout-web", "prod", new ImageDigest(OTHER))).orElseThrow().status())
                .isEqualTo(GateStatus.WAITING);
    }

    @Test
    void neverChangesTheStatusOfADecidedRecord() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                approvals: { required: 1, users: [U0AAAA002] }
                """);
        custom.givenFail("change-ticket", "CHG-1 was rejected");
        GateRecord failed = gates.evaluate(arriving("prod", DIGEST));
        custom.givenPass("change-ticket", "CHG-1 reopened and approved");
        clock.advance(Duration.ofHours(1));

        GateRecord afterApproval = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));
        GateRecord askedAgain = gates.evaluate(arriving("prod", DIGEST));
        gates.evaluate(arriving("prod", NEWER));

        assertThat(failed.status()).isEqualTo(GateStatus.FAILED);
        assertThat(afterApproval.status()).isEqualTo(GateStatus.FAILED);
        assertThat(afterApproval.decisions()).as("kept for the record").hasSize(1);
        assertThat(askedAgain.status()).isEqualTo(GateStatus.FAILED);
        assertThat(store.find(key("prod", DIGEST)).orElseThrow().status()).as("not superseded either").isEqualTo(GateStatus.FAILED);
        assertThat(custom.asked()).as("a decided release is never evaluated again").hasSize(2)
                .extracting(a -> a.question().digest()).containsExactly(DIGEST, NEWER);
    }

    @Test
    void keepsEachDistinctAnswerWithItsEvidenceAndCountsRepeats() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                approvals: { required: 1, users: [U0AAAA002] }
                """);
        Instant quietSince = Instant.parse("2026-11-23T08:00:00Z");
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, quietSince);
        Instant start = clock.instant();
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));
        GateRecord thrice = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofSeconds(10));

        GateRecord passed = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));

        assertThat(thrice.evaluations()).singleElement().satisfies(evaluation -> {
            assertThat(evaluation.times()).isEqualTo(3);
            assertThat(evaluation.firstAt()).isEqualTo(start);
            assertThat(evaluation.lastAt()).isEqualTo(start.plus(Duration.ofMinutes(2)));
            assertThat(evaluation.outcome()).isEqualTo(GateVerdict.Outcome.WAITING);
            assertThat(evaluation.checks()).containsExactly(
                    new GateEvaluation.CheckSummary("alarms", "PASS", null, List.of("alarm payments-api-5xx: OK since " + quietSince)),
                    new GateEvaluation.CheckSummary("approvals", "WAIT", "0 of 1 approvals", List.of("0 of 1 approvals")));
        });
        assertThat(passed.evaluations()).hasSize(2);
        assertThat(passed.evaluations().getLast().outcome()).isEqualTo(GateVerdict.Outcome.PASSED);
        assertThat(passed.evaluations().getLast().times()).isEqualTo(1);
        assertThat(latestCheck(passed, "approvals").evidence()).contains("approved: U0AAAA002 at 2026-11-23T10:02:10Z, valid until "
                + "2026-11-24T10:02:10Z");
    }

    @Test
    void holdsAReleaseInAFreezeAndLetsItGoOnceTheWindowHasPassed() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                freezes:
                  - from: 2026-11-23T09:00:00Z
                    until: 2026-11-23T12:00:00Z
                """);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);

        GateRecord frozen = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofHours(1).plusMinutes(59));
        GateRecord stillFrozen = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));
        GateRecord open = gates.evaluate(arriving("prod", DIGEST));

        assertThat(frozen.status()).isEqualTo(GateStatus.WAITING);
        assertThat(frozen.reason()).startsWith("waiting for freeze: held until 2026-11-23T12:00:00Z");
        assertThat(frozen.nextLook()).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
        assertThat(stillFrozen.status()).isEqualTo(GateStatus.WAITING);
        assertThat(open.status()).isEqualTo(GateStatus.PASSED);
        assertThat(open.decisions()).as("nobody had to do anything").isEmpty();
    }

    @Test
    void holdsAReleaseWhileAChangeCalendarIsClosedOrUnreadable() {
        GateService gates = gateWith("""
                freezes:
                  - changeCalendar: payments-release-calendar
                interval: 5m
                """);
        calendars.failWith("SSM GetCalendarState was refused: AccessDeniedException");

        GateRecord unreadable = gates.evaluate(arriving("prod", DIGEST));
        calendars.recover();
        calendars.givenClosed("payments-release-calendar", Instant.parse("2026-11-23T10:30:00Z"));
        clock.advance(Duration.ofMinutes(5));
        GateRecord closed = gates.evaluate(arriving("prod", DIGEST));
        calendars.givenOpen("payments-release-calendar", null);
        clock.advance(Duration.ofMinutes(5));
        GateRecord open = gates.evaluate(arriving("prod", DIGEST));

        assertThat(unreadable.status()).isEqualTo(GateStatus.WAITING);
        assertThat(unreadable.reason()).contains("change calendar payments-release-calendar could not be read");
        assertThat(closed.reason()).contains("held until 2026-11-23T10:30:00Z");
        assertThat(open.status()).isEqualTo(GateStatus.PASSED);
        assertThat(calendars.calls()).isEqualTo(3);
    }

    @Test
    void letsAReleaseThroughAFreezeWhenTwoOtherApproversBreakTheGlass() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA001, U0AAAA002, U0AAAA003] }
                freezes:
                  - from: 2026-11-23T09:00:00Z
                    until: 2026-11-30T09:00:00Z
                """);
        gates.evaluate(arriving("prod", DIGEST, COMMIT_EMAIL));
        clock.advance(Duration.ofSeconds(5));
        GateRecord approvedButFrozen = gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));

        clock.advance(Duration.ofSeconds(5));
        gates.decide(key("prod", DIGEST), breakGlass("U0AAAA001", "my own hotfix"));
        clock.advance(Duration.ofSeconds(5));
        GateRecord oneOfTwo = gates.decide(key("prod", DIGEST), breakGlass("U0AAAA002", "fixes CVE-2026-0001"));
        clock.advance(Duration.ofSeconds(5));
        GateRecord broken = gates.decide(key("prod", DIGEST), breakGlass("U0AAAA003", "agreed with the on-call lead"));

        assertThat(approvedButFrozen.status()).isEqualTo(GateStatus.WAITING);
        assertThat(approvedButFrozen.reason()).contains("freeze: held until 2026-11-30T09:00:00Z");
        assertThat(oneOfTwo.status()).isEqualTo(GateStatus.WAITING);
        assertThat(latestCheck(oneOfTwo, "freeze").evidence())
                .contains("break-glass not counted: U0AAAA001 triggered the release", "1 of 2 break-glass approvals: U0AAAA002");
        assertThat(broken.status()).isEqualTo(GateStatus.PASSED);
        assertThat(latestCheck(broken, "freeze").evidence()).anySatisfy(line -> assertThat(line).contains("broken open by U0AAAA002 and U0AAAA003"));
    }

    @Test
    void passesOnceTheDigestHasSoakedInThePreviousEnvironment() {
        GateService gates = gateWith("""
                soak: 30m
                """);
        GateRecord notThereYet = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(5));
        completedInStaging(DIGEST);
        clock.advance(Duration.ofMinutes(15));
        GateRecord soaking = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(15));
        GateRecord soaked = gates.evaluate(arriving("prod", DIGEST));

        assertThat(notThereYet.reason()).contains(new ImageDigest(DIGEST).shortForm() + " has not been deployed to staging yet");
        assertThat(soaking.status()).isEqualTo(GateStatus.WAITING);
        assertThat(soaking.reason()).isEqualTo("waiting for soak: soaking in staging until 2026-11-23T10:35:00Z");
        assertThat(soaking.nextLook()).isEqualTo(Instant.parse("2026-11-23T10:35:00Z"));
        assertThat(soaked.status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void asksACustomCheckAboutTheDigestAndPassesOnItsPass() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                """);
        custom.givenPass("change-ticket", "CHG-1 approved");

        GateRecord record = gates.evaluate(arriving("prod", DIGEST));

        assertThat(record.status()).isEqualTo(GateStatus.PASSED);
        assertThat(custom.asked()).singleElement().satisfies(asked -> {
            assertThat(asked.check()).isEqualTo("change-ticket");
            assertThat(asked.question()).isEqualTo(new CustomChecks.CustomQuestion("payments-api", "prod", DIGEST,
                    REGISTRY + "/payments-api@" + DIGEST, "1.4.0", "production"));
        });
        assertThat(latestCheck(record, "custom:change-ticket").evidence()).containsExactly("change-ticket answered PASS: CHG-1 approved");
    }

    @Test
    void failsTheReleaseWhenACustomCheckFails() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, lambda: change-ticket-check }
                """);
        custom.givenFail("change-ticket", "CHG-1 was rejected by the CAB");

        GateRecord record = gates.evaluate(arriving("prod", DIGEST));

        assertThat(record.status()).isEqualTo(GateStatus.FAILED);
        assertThat(record.reason()).isEqualTo("custom:change-ticket: CHG-1 was rejected by the CAB");
        assertThat(record.dueAt()).isNull();
    }

    @Test
    void waitsAndAsksAgainWhenACustomCheckGivesNoAnswer() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                interval: 5m
                """);
        custom.givenNoAnswer("change-ticket", "HTTP 503 from https://checks.example.com/change-ticket");

        GateRecord noAnswer = gates.evaluate(arriving("prod", DIGEST));
        custom.givenPass("change-ticket", "CHG-1 approved");
        clock.advance(Duration.ofMinutes(5));
        GateRecord answered = gates.evaluate(arriving("prod", DIGEST));

        assertThat(noAnswer.status()).isEqualTo(GateStatus.WAITING);
        assertThat(noAnswer.reason()).isEqualTo("waiting for custom:change-ticket: no answer: HTTP 503 from https://checks.example.com/change-ticket");
        assertThat(noAnswer.nextLook()).isEqualTo(Instant.parse("2026-11-23T10:05:00Z"));
        assertThat(answered.status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void timesOutACustomCheckThatNeverAnsweredEvenWhenTheGateProceedsAtItsTimeout() {
        GateService gates = gateWith("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                timeout: 1h
                onTimeout: proceed
                """);
        custom.givenNoAnswer("change-ticket", "HTTP 503 from https://checks.example.com/change-ticket");
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofHours(1));

        GateRecord timedOut = gates.evaluate(arriving("prod", DIGEST));

        assertThat(timedOut.status()).isEqualTo(GateStatus.TIMED_OUT);
        assertThat(timedOut.reason()).contains("custom:change-ticket: no answer: HTTP 503")
                .endsWith("onTimeout: proceed waives neither missing approvals nor a check that could not answer");
    }

    @Test
    void waitsWhileAlarmsCannotBeReadAndFailsOnAFiringOne() {
        GateService gates = gateWith("""
                alarms: { names: [payments-api-5xx] }
                """);
        alarms.failWith("CloudWatch DescribeAlarms was refused: AccessDenied");

        GateRecord unreadable = gates.evaluate(arriving("prod", DIGEST));
        alarms.recover();
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, Instant.parse("2026-11-23T10:00:30Z"));
        clock.advance(Duration.ofMinutes(1));
        GateRecord firing = gates.evaluate(arriving("prod", DIGEST));

        assertThat(unreadable.status()).isEqualTo(GateStatus.WAITING);
        assertThat(unreadable.reason()).contains("alarms could not be read: CloudWatch DescribeAlarms was refused");
        assertThat(firing.status()).isEqualTo(GateStatus.FAILED);
        assertThat(firing.reason()).isEqualTo("alarms: in ALARM: payments-api-5xx");
    }

    @Test
    void timesOutWhenTheChecksDoNotPassWithinTheTimeout() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                timeout: 1h
                """);
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(59));
        GateRecord almost = gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));

        GateRecord timedOut = gates.evaluate(arriving("prod", DIGEST));

        assertThat(almost.status()).isEqualTo(GateStatus.WAITING);
        assertThat(timedOut.status()).isEqualTo(GateStatus.TIMED_OUT);
        assertThat(timedOut.reason()).isEqualTo("waited PT1H (until 2026-11-23T11:00:00Z) and still approvals: 0 of 1 approvals");
        assertThat(timedOut.dueAt()).isNull();
    }

    @Test
    void neverProceedsAtTheTimeoutWithoutItsApprovals() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                timeout: 1h
                onTimeout: proceed
                """);
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofHours(1));

        GateRecord timedOut = gates.evaluate(arriving("prod", DIGEST));

        assertThat(timedOut.status()).isEqualTo(GateStatus.TIMED_OUT);
        assertThat(timedOut.reason()).contains("still approvals: 0 of 1 approvals")
                .endsWith("onTimeout: proceed waives neither missing approvals nor a check that could not answer");
    }

    @Test
    void refusesToGateAnEnvironmentWithoutAGate() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """);

        assertThatThrownBy(() -> gates.evaluate(arriving("staging", DIGEST)))
                .isInstanceOf(GateService.NoGateException.class)
                .hasMessage("payments-api/staging has no gate");
        assertThatThrownBy(() -> gates.evaluate(arriving("qa", DIGEST)))
                .isInstanceOf(GateService.NoGateException.class)
                .hasMessage("payments-api/qa has no gate");
        assertThat(store.find(key("staging", DIGEST))).isEmpty();
    }

    @Test
    void refusesADecisionOnAReleaseThatNeverReachedItsGate() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """);
        gates.evaluate(arriving("prod", DIGEST));

        assertThatThrownBy(() -> gates.decide(key("prod", NEWER), approve("U0AAAA002", NEWER)))
                .isInstanceOf(GateService.GateNotFoundException.class)
                .hasMessageContaining("payments-api/prod/" + new ImageDigest(NEWER).shortForm());
        assertThatThrownBy(() -> gates.decide(key("prod", DIGEST), approve("U0AAAA002", NEWER)))
                .as("an approval is of one digest").isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(key("prod", DIGEST)).orElseThrow().decisions()).isEmpty();
    }

    @Test
    void concurrentEvaluationsOfOneReleaseAgreeOnOneAnswer() throws Exception {
        int threads = 6;
        CyclicBarrier allInsideTheCheck = new CyclicBarrier(threads);
        AtomicInteger asked = new AtomicInteger();
        // Every evaluation is inside its checks before any stores its answer, and they answer differently:
        // only the store's version condition can make them agree.
        CustomChecks splitDecision = (check, question) -> {
            int n = asked.incrementAndGet();
            awaitAll(allInsideTheCheck);
            return n % 2 == 0
                    ? new CustomChecks.CustomAnswer(CustomChecks.Verdict.PASS, "answer " + n, null)
                    : new CustomChecks.CustomAnswer(CustomChecks.Verdict.FAIL, "answer " + n, null);
        };
        GantryConfig config = configWithGate("""
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                """);
        GateService gates = new GateService(config, store, releases, alarms, calendars, splitDecision, ApproverGroups.none(), clock);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<GateRecord>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return gates.evaluate(arriving("prod", DIGEST));
                }));
            }
            start.countDown();
            List<GateRecord> records = new ArrayList<>();
            for (Future<GateRecord> answer : answers) {
                records.add(answer.get(30, TimeUnit.SECONDS));
            }

            GateRecord stored = store.find(key("prod", DIGEST)).orElseThrow();
            assertThat(asked.get()).as("every evaluation ran its checks").isEqualTo(threads);
            assertThat(records).allSatisfy(record -> assertThat(record).isEqualTo(stored));
            assertThat(stored.status()).isIn(GateStatus.PASSED, GateStatus.FAILED);
            assertThat(stored.version()).isEqualTo(1);
            assertThat(stored.evaluations()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void handsItsListenerEveryRecordItStoresOnceAsStored() {
        List<GateRecord> written = new ArrayList<>();
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                interval: 5m
                """).withRecordListener(written::add);

        gates.evaluate(arriving("prod", DIGEST));
        List<GateRecord> afterArrival = List.copyOf(written);
        clock.advance(Duration.ofMinutes(1));
        gates.evaluate(arriving("prod", DIGEST));
        List<GateRecord> afterAnEvaluationThatWasNotDue = List.copyOf(written);
        gates.decide(key("prod", DIGEST), approve("U0AAAA002", DIGEST));

        assertThat(afterArrival).extracting(GateRecord::version, GateRecord::status, GateRecord::reason).containsExactly(
                tuple(0L, GateStatus.WAITING, "not evaluated yet"),
                tuple(1L, GateStatus.WAITING, "waiting for approvals: 0 of 1 approvals"));
        assertThat(afterAnEvaluationThatWasNotDue).as("nothing stored, nothing handed over").isEqualTo(afterArrival);
        assertThat(written).extracting(GateRecord::version).containsExactly(0L, 1L, 2L, 3L);
        assertThat(written.get(2).decisions()).as("the decision, stored before it is evaluated").hasSize(1);
        assertThat(written.getLast().status()).isEqualTo(GateStatus.PASSED);
        assertThat(store.find(key("prod", DIGEST))).contains(written.getLast());
    }

    @Test
    void handsItsListenerTheRecordOfTheReleaseASupersededOneIs() {
        List<GateRecord> written = new ArrayList<>();
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """).withRecordListener(written::add);
        gates.evaluate(arriving("prod", DIGEST));
        clock.advance(Duration.ofMinutes(1));
        written.clear();

        gates.evaluate(arriving("prod", NEWER));

        assertThat(written).extracting(record -> record.key().digest().value(), GateRecord::status).containsExactly(
                tuple(NEWER, GateStatus.WAITING),
                tuple(DIGEST, GateStatus.SUPERSEDED),
                tuple(NEWER, GateStatus.WAITING));
        assertThat(written.get(1)).isEqualTo(store.find(key("prod", DIGEST)).orElseThrow());
    }

    @Test
    void doesNotHandItsListenerAWriteThatLostARace() {
        GateService rival = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """);
        AtomicBoolean rivalled = new AtomicBoolean();
        // The rival evaluates the release between this service's read and its write: the write is refused.
        GateStore racedStore = new GateStore() {
            @Override
            public Optional<GateRecord> find(ReleaseKey key) {
                return store.find(key);
            }

            @Override
            public boolean create(GateRecord record) {
                return store.create(record);
            }

            @Override
            public boolean replace(GateRecord updated) {
                if (rivalled.compareAndSet(false, true)) {
                    rival.evaluate(arriving("prod", DIGEST));
                }
                return store.replace(updated);
            }

            @Override
            public List<GateRecord> waiting(String service, String environment) {
                return store.waiting(service, environment);
            }

            @Override
            public List<GateRecord> due(Instant now, int limit) {
                return store.due(now, limit);
            }
        };
        List<GateRecord> written = new ArrayList<>();
        GateService gates = new GateService(configWithGate("""
                approvals: { required: 1, users: [U0AAAA002] }
                """), racedStore, releases, alarms, calendars, custom, ApproverGroups.none(), clock).withRecordListener(written::add);

        GateRecord answer = gates.evaluate(arriving("prod", DIGEST));

        assertThat(answer.version()).as("the rival's evaluation, read back").isEqualTo(1);
        assertThat(written).as("only the arrival was this service's write").extracting(GateRecord::version).containsExactly(0L);
    }

    @Test
    void aListenerThatFailsIsLoggedAndTheGateAnswersAllTheSame() {
        GateService gates = gateWith("""
                approvals: { required: 1, users: [U0AAAA002] }
                """).withRecordListener(record -> {
                    throw new IllegalStateException("notify queue unreachable");
                });
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        GateRecord record;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            record = gates.evaluate(arriving("prod", DIGEST));
        } finally {
            System.setErr(stderr);
        }

        assertThat(record.status()).isEqualTo(GateStatus.WAITING);
        assertThat(record.reason()).isEqualTo("waiting for approvals: 0 of 1 approvals");
        assertThat(store.find(key("prod", DIGEST))).contains(record);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("the listener of gate records failed on " + key("prod", DIGEST).id() + " (version 0, WAITING)")
                .contains("the listener of gate records failed on " + key("prod", DIGEST).id() + " (version 1, WAITING)")
                .contains("notify queue unreachable");
    }

    @Test
    void keepsItsListenerAndItsManualFreezesWhicheverIsAddedFirst() {
        InMemoryManualFreezes freezes = new InMemoryManualFreezes();
        freezes.put(new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "incident 4711", "U0AAAA003", clock.instant()));
        List<GateRecord> toldFirst = new ArrayList<>();
        List<GateRecord> toldLast = new ArrayList<>();
        String changeTicketOnly = """
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
                """;
        custom.givenPass("change-ticket", "CHG-1 approved");
        GateService listenerFirst = gateWith(changeTicketOnly).withRecordListener(toldFirst::add).withManualFreezes(freezes);
        GateService freezesFirst = gateWith(changeTicketOnly).withManualFreezes(freezes).withRecordListener(toldLast::add);

        GateRecord first = listenerFirst.evaluate(arriving("prod", DIGEST));
        GateRecord last = freezesFirst.evaluate(arriving("prod-us", DIGEST));

        assertThat(first.reason()).startsWith("waiting for freeze: ").contains("incident 4711");
        assertThat(last.reason()).startsWith("waiting for freeze: ").contains("incident 4711");
        assertThat(toldFirst).last().isEqualTo(first);
        assertThat(toldLast).last().isEqualTo(last);
    }

    private GateService gateWith(String gateBody) {
        return new GateService(configWithGate(gateBody), store, releases, alarms, calendars, custom, ApproverGroups.none(), clock);
    }

    /** payments-api runs in staging (no gate), prod and prod-us; checkout-web in staging and prod; both prods share one gate. */
    static GantryConfig configWithGate(String gateBody) {
        return ConfigLoader.parse("""
                version: 1
                slack:
                  defaultChannel: "#releases"
                  people:
                    U0AAAA001: [dev@example.com, "arn:aws:iam::111122223333:user/dev"]
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                    environments:
                      - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: payments-api }
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
                      - { name: prod-us, account: "111122223333", region: us-east-1, cluster: prod, service: payments-api, gate: production }
                  - name: checkout-web
                    repository: checkout-web
                    tagPolicy: { glob: "release-*" }
                    environments:
                      - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: checkout-web }
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: checkout-web, gate: production }
                gates:
                  - name: production
                """ + gateBody.indent(4), "gantry.yml");
    }

    private void completedInStaging(String digest) {
        ReleaseKey staging = new ReleaseKey("payments-api", "staging", new ImageDigest(digest));
        Instant now = clock.instant();
        releases.claim(Release.proposed(staging, "1.4.0", REGISTRY + "/payments-api@" + digest, "event-1", "inv-1",
                now.plusSeconds(90), now), now, Duration.ofSeconds(90));
        releases.recordRegistered(staging, "inv-1", "arn:aws:ecs:eu-west-1:111122223333:task-definition/payments-api-staging:1",
                "arn:aws:ecs:eu-west-1:111122223333:task-definition/payments-api-staging:2", List.of(), now);
        releases.recordServiceUpdated(staging, "inv-1", now);
        releases.recordRollout(staging, RolloutStatus.COMPLETED, null, now);
    }

    private static GateSubject arriving(String environment, String digest, String... triggeredBy) {
        return new GateSubject(key(environment, digest), REGISTRY + "/payments-api@" + digest, "1.4.0", PUSHED_AT, List.of(triggeredBy),
                GateOrigin.DEPLOY);
    }

    private static GateSubject arrivingAtCheckout(String digest) {
        return new GateSubject(new ReleaseKey("checkout-web", "prod", new ImageDigest(digest)), REGISTRY + "/checkout-web@" + digest,
                "release-42", PUSHED_AT, List.of(), GateOrigin.DEPLOY);
    }

    private static ReleaseKey key(String environment, String digest) {
        return new ReleaseKey("payments-api", environment, new ImageDigest(digest));
    }

    private Approval approve(String user, String digest) {
        return new Approval(user, clock.instant(), new ImageDigest(digest), Approval.Decision.APPROVE, null);
    }

    private Approval breakGlass(String user, String reason) {
        return new Approval(user, clock.instant(), new ImageDigest(DIGEST), Approval.Decision.BREAK_GLASS, reason);
    }

    private static GateEvaluation.CheckSummary latestCheck(GateRecord record, String check) {
        return record.evaluations().getLast().checks().stream().filter(c -> c.check().equals(check)).findFirst().orElseThrow();
    }

    private static void awaitAll(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("the evaluations did not all reach their checks", e);
        }
    }
}
