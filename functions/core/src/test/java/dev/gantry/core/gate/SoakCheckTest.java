package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import static dev.gantry.core.gate.AlarmStates.State.ALARM;
import static dev.gantry.core.gate.AlarmStates.State.INSUFFICIENT_DATA;
import static dev.gantry.core.gate.AlarmStates.State.OK;
import static dev.gantry.core.release.ReleaseStatus.CLAIMED;
import static dev.gantry.core.release.ReleaseStatus.REGISTERED;
import static dev.gantry.core.release.ReleaseStatus.SERVICE_UPDATED;
import static dev.gantry.core.release.RolloutStatus.COMPLETED;
import static dev.gantry.core.release.RolloutStatus.FAILED;
import static dev.gantry.core.release.RolloutStatus.IN_PROGRESS;
import static dev.gantry.core.release.RolloutStatus.PENDING;
import static dev.gantry.core.release.RolloutStatus.ROLLED_BACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.gate.AlarmStates.AlarmState;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SoakCheckTest {

    private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration SOAK = Duration.ofMinutes(30);
    /** Not the one-minute default, so a next look taken from anywhere else shows. */
    private static final Duration INTERVAL = Duration.ofMinutes(2);
    private static final ImageDigest DIGEST = ImageDigest.parse("sha256:" + "a".repeat(64));
    private static final ImageDigest NEWER = ImageDigest.parse("sha256:" + "b".repeat(64));
    private static final ImageDigest NEWEST = ImageDigest.parse("sha256:" + "c".repeat(64));
    private static final ImageDigest OLDER = ImageDigest.parse("sha256:" + "d".repeat(64));
    /** The release at the gate: into prod, after staging. */
    private static final ReleaseKey KEY = new ReleaseKey("payments-api", "prod", DIGEST);
    private static final String STAGING = "staging";
    private static final String FIVE_XX = "payments-api-5xx";
    private static final String LATENCY = "payments-api-latency";

    private final SoakCheck check = new SoakCheck();

    static Stream<Arguments> decisions() {
        Instant completed = minutesAgo(40);
        return Stream.of(
                row("nothing of this digest in staging yet: wait and look again after the interval",
                        List.of(completedIn(OLDER, hoursAgo(5))), quiet(), false,
                        Kind.WAIT, "aaaaaaaaaaaa has not been deployed to staging yet", NOW.plus(INTERVAL),
                        "no completed release of aaaaaaaaaaaa in staging"),
                row("staging has no releases at all",
                        List.of(), quiet(), false,
                        Kind.WAIT, "aaaaaaaaaaaa has not been deployed to staging yet", NOW.plus(INTERVAL),
                        "no completed release of aaaaaaaaaaaa in staging"),
                row("claimed in staging but the service not updated yet",
                        List.of(release(DIGEST, CLAIMED, null, minutesAgo(3), minutesAgo(3))), quiet(), false,
                        Kind.WAIT, "aaaaaaaaaaaa has not been deployed to staging yet", NOW.plus(INTERVAL),
                        "no completed release of aaaaaaaaaaaa in staging"),
                row("registered in staging but the service not updated yet",
                        List.of(release(DIGEST, REGISTERED, null, minutesAgo(3), minutesAgo(2))), quiet(), false,
                        Kind.WAIT, "aaaaaaaaaaaa has not been deployed to staging yet", NOW.plus(INTERVAL),
                        "no completed release of aaaaaaaaaaaa in staging"),
                row("the staging rollout is pending",
                        List.of(release(DIGEST, SERVICE_UPDATED, PENDING, minutesAgo(3), minutesAgo(2))), quiet(), false,
                        Kind.WAIT, "the rollout of aaaaaaaaaaaa in staging has not completed", NOW.plus(INTERVAL),
                        "rollout in staging: PENDING"),
                row("the staging rollout is in progress",
                        List.of(release(DIGEST, SERVICE_UPDATED, IN_PROGRESS, minutesAgo(3), minutesAgo(1))), quiet(), false,
                        Kind.WAIT, "the rollout of aaaaaaaaaaaa in staging has not completed", NOW.plus(INTERVAL),
                        "rollout in staging: IN_PROGRESS"),
                row("the staging rollout failed: it will never soak",
                        List.of(failedIn(DIGEST, FAILED, "tasks failed to start")), quiet(), false,
                        Kind.FAIL, "the rollout of aaaaaaaaaaaa in staging ended FAILED: tasks failed to start", null, null),
                row("the staging rollout was rolled back, ECS giving no reason",
                        List.of(failedIn(DIGEST, ROLLED_BACK, null)), quiet(), false,
                        Kind.FAIL, "the rollout of aaaaaaaaaaaa in staging ended ROLLED_BACK", null, null),
                row("completed ten minutes ago: soaking until thirty minutes after completion",
                        List.of(completedIn(DIGEST, minutesAgo(10))), quiet(), false,
                        Kind.WAIT, "soaking in staging until 2026-03-02T12:20:00Z", NOW.plus(Duration.ofMinutes(20)),
                        "quiet in staging since 2026-03-02T11:50:00Z; soaked at 2026-03-02T12:20:00Z"),
                row("one second short of the soak: waits exactly that second",
                        List.of(completedIn(DIGEST, NOW.minus(SOAK).plusSeconds(1))), quiet(), false,
                        Kind.WAIT, "soaking in staging until 2026-03-02T12:00:01Z", NOW.plusSeconds(1),
                        "quiet in staging since 2026-03-02T11:30:01Z; soaked at 2026-03-02T12:00:01Z"),
                row("soaked for exactly the soak time: passes at the boundary",
                        List.of(completedIn(DIGEST, NOW.minus(SOAK))), quiet(), false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:30:00Z, PT30M of PT30M"),
                row("soaked longer than needed, the gate watching no alarms",
                        List.of(completedIn(DIGEST, completed)), null, false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:20:00Z, PT40M of PT30M"),
                row("an alarm that changed state during the soak restarts the count from its change",
                        List.of(completedIn(DIGEST, completed)), List.of(okSince(FIVE_XX, hoursAgo(3)), okSince(LATENCY, minutesAgo(20))), false,
                        Kind.WAIT, "soaking in staging until 2026-03-02T12:10:00Z", NOW.plus(Duration.ofMinutes(10)),
                        "alarm payments-api-latency changed state at 2026-03-02T11:40:00Z: quiet since then"),
                row("an alarm that changed state before the soak started changes nothing",
                        List.of(completedIn(DIGEST, completed)), List.of(okSince(FIVE_XX, completed.minusSeconds(1))), false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:20:00Z, PT40M of PT30M"),
                row("an alarm whose change CloudWatch does not date changes nothing",
                        List.of(completedIn(DIGEST, completed)), List.of(new AlarmState(FIVE_XX, OK, null, null, false)), false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:20:00Z, PT40M of PT30M"),
                row("of several changes during the soak, the latest restarts the count",
                        List.of(completedIn(DIGEST, completed)), List.of(okSince(FIVE_XX, minutesAgo(30)), okSince(LATENCY, minutesAgo(5))), false,
                        Kind.WAIT, "soaking in staging until 2026-03-02T12:25:00Z", NOW.plus(Duration.ofMinutes(25)),
                        "quiet in staging since 2026-03-02T11:55:00Z; soaked at 2026-03-02T12:25:00Z"),
                row("an alarm in ALARM interrupts the soak",
                        List.of(completedIn(DIGEST, completed)), List.of(okSince(FIVE_XX, hoursAgo(3)), notOk(LATENCY, ALARM)), false,
                        Kind.WAIT, "soak interrupted: payments-api-latency is ALARM", NOW.plus(INTERVAL),
                        "alarm payments-api-latency is ALARM: the soak restarts when it is OK again"),
                row("an alarm in INSUFFICIENT_DATA interrupts the soak too",
                        List.of(completedIn(DIGEST, completed)), List.of(notOk(FIVE_XX, INSUFFICIENT_DATA)), false,
                        Kind.WAIT, "soak interrupted: payments-api-5xx is INSUFFICIENT_DATA", NOW.plus(INTERVAL),
                        "alarm payments-api-5xx is INSUFFICIENT_DATA: the soak restarts when it is OK again"),
                row("alarms that cannot be read leave the quiet unknown: wait",
                        List.of(completedIn(DIGEST, completed)), null, true,
                        Kind.WAIT, "alarms could not be read to tell whether the soak was quiet", NOW.plus(INTERVAL),
                        "aaaaaaaaaaaa completed its rollout in staging at 2026-03-02T11:20:00Z"),
                row("replaced in staging before the soak was over: it will never complete it",
                        List.of(replacedBy(NEWER, minutesAgo(30)), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.FAIL, "replaced in staging after PT10M, before its soak of PT30M was over", null,
                        "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:30:00Z after PT10M"),
                row("replaced in staging one second before the soak was over",
                        List.of(replacedBy(NEWER, completed.plus(SOAK).minusSeconds(1)), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.FAIL, "replaced in staging after PT29M59S, before its soak of PT30M was over", null,
                        "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:49:59Z after PT29M59S"),
                row("replaced in staging exactly when the soak was over: it soaked",
                        List.of(replacedBy(NEWER, completed.plus(SOAK)), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.PASS, null, null, "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:50:00Z after PT30M"),
                row("replaced after the soak: passes without the alarms, which now speak for the replacement",
                        List.of(replacedBy(NEWER, minutesAgo(5)), completedIn(DIGEST, completed)), List.of(notOk(FIVE_XX, ALARM)), false,
                        Kind.PASS, null, null, "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:55:00Z after PT35M"),
                row("a newer release claimed while this rollout was still going replaced it: it never ran alone",
                        List.of(replacedBy(NEWER, completed.minus(Duration.ofMinutes(1))), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.FAIL, "replaced in staging after PT0S, before its soak of PT30M was over", null,
                        "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:19:00Z after PT0S"),
                row("of two replacements, the first decides",
                        List.of(replacedBy(NEWEST, minutesAgo(5)), replacedBy(NEWER, minutesAgo(30)), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.FAIL, "replaced in staging after PT10M, before its soak of PT30M was over", null,
                        "replaced in staging by bbbbbbbbbbbb at 2026-03-02T11:30:00Z after PT10M"),
                row("a newer digest that never reached the service does not replace it",
                        List.of(release(NEWER, REGISTERED, null, minutesAgo(25), minutesAgo(25)), completedIn(DIGEST, completed)), quiet(), false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:20:00Z, PT40M of PT30M"),
                row("a newer digest that ECS rolled back in staging did not replace it: staging went back to this one",
                        List.of(release(NEWER, SERVICE_UPDATED, ROLLED_BACK, minutesAgo(30), minutesAgo(25)), completedIn(DIGEST, completed)),
                        List.of(okSince(FIVE_XX, minutesAgo(25))), false,
                        Kind.WAIT, "soaking in staging until 2026-03-02T12:05:00Z", NOW.plus(Duration.ofMinutes(5)),
                        "alarm payments-api-5xx changed state at 2026-03-02T11:35:00Z: quiet since then"),
                row("a newer release still rolling out in staging may roll back: the soak waits instead of failing",
                        List.of(release(NEWER, SERVICE_UPDATED, IN_PROGRESS, minutesAgo(30), minutesAgo(30)), completedIn(DIGEST, completed)),
                        quiet(), false,
                        Kind.WAIT, "a newer release is rolling out in staging; the soak resumes if it rolls back", NOW.plus(INTERVAL),
                        "a newer release, bbbbbbbbbbbb, is rolling out in staging"),
                row("the digest staging ran before this one is no replacement",
                        List.of(completedIn(DIGEST, completed), completedIn(OLDER, hoursAgo(5))), quiet(), false,
                        Kind.PASS, null, null, "quiet in staging since 2026-03-02T11:20:00Z, PT40M of PT30M"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesTheSoakCheck(String scenario, List<Release> stagingHistory, List<AlarmState> alarms, boolean alarmsUnreadable,
            Kind kind, String reason, Instant nextLook, String evidenceLine) {
        // when
        CheckResult result = check.evaluate(KEY, SOAK, STAGING, stagingHistory, alarms, alarmsUnreadable, NOW, INTERVAL);

        // then
        assertThat(result.check()).isEqualTo("soak");
        switch (kind) {
            case PASS -> assertThat(result).isInstanceOf(CheckResult.Pass.class);
            case WAIT -> assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
                assertThat(wait.reason()).isEqualTo(reason);
                assertThat(wait.nextLook()).isEqualTo(nextLook);
            });
            case FAIL -> assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class, fail -> assertThat(fail.reason()).isEqualTo(reason));
        }
        if (evidenceLine != null) {
            assertThat(result.evidence()).contains(evidenceLine);
        }
    }

    @Test
    void failsOnTheFirstEnvironmentWhereThereIsNowhereToSoak() {
        // given
        ReleaseKey intoStaging = new ReleaseKey("payments-api", STAGING, DIGEST);

        // when
        CheckResult result = check.evaluate(intoStaging, SOAK, null, List.of(), quiet(), false, NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class, fail -> {
            assertThat(fail.check()).isEqualTo("soak");
            assertThat(fail.reason()).isEqualTo("staging is the first environment of payments-api: there is nowhere for it to soak first");
        });
    }

    @Test
    void soakingEvidenceSaysWhenItStartedWhatRestartedItAndWhenItEnds() {
        // given
        List<Release> history = List.of(completedIn(DIGEST, minutesAgo(40)));
        List<AlarmState> alarms = List.of(okSince(FIVE_XX, hoursAgo(3)), okSince(LATENCY, minutesAgo(20)));

        // when
        CheckResult result = check.evaluate(KEY, SOAK, STAGING, history, alarms, false, NOW, INTERVAL);

        // then
        assertThat(result.evidence()).containsExactly(
                "aaaaaaaaaaaa completed its rollout in staging at 2026-03-02T11:20:00Z",
                "alarm payments-api-latency changed state at 2026-03-02T11:40:00Z: quiet since then",
                "quiet in staging since 2026-03-02T11:40:00Z; soaked at 2026-03-02T12:10:00Z");
    }

    @Test
    void soaksFromThisDigestsCompletionNotFromWhatStagingRanBefore() {
        // given: staging's newest release is another digest that completed long ago, and this digest only just completed
        List<Release> history = List.of(completedIn(DIGEST, minutesAgo(5)), completedIn(OLDER, hoursAgo(5)));

        // when
        CheckResult result = check.evaluate(KEY, SOAK, STAGING, history, quiet(), false, NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class,
                wait -> assertThat(wait.nextLook()).isEqualTo(NOW.plus(Duration.ofMinutes(25))));
    }

    @Test
    void aRollbackToAnOlderReleaseEndsTheSoakOfTheOneItLeft() {
        // given: this digest completed 20 minutes ago and was rolled back from 10 minutes ago, to a release made hours before
        Release rolledBackTo = completedIn(OLDER, hoursAgo(5))
                .redeployClaimed("rollback-trigger", "worker", minutesAgo(9), minutesAgo(10))
                .registered("arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:7",
                        "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:8", List.of(), minutesAgo(10))
                .serviceUpdated(minutesAgo(10))
                .rollout(COMPLETED, null, minutesAgo(6));
        List<Release> history = List.of(rolledBackTo, completedIn(DIGEST, minutesAgo(20)));

        // when
        CheckResult result = check.evaluate(KEY, SOAK, STAGING, history, quiet(), false, NOW, INTERVAL);

        // then: it ran 10 minutes of its soak there, not the whole soak
        assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class,
                fail -> assertThat(fail.reason()).startsWith("replaced in staging after PT10M"));
    }

    @Test
    void anAlarmWithoutDataDoesNotInterruptTheSoakOfAGateThatCountsItAsOk() {
        List<Release> history = List.of(completedIn(DIGEST, minutesAgo(40)));
        List<AlarmState> lowTraffic = List.of(new AlarmState(FIVE_XX, INSUFFICIENT_DATA, "no data", hoursAgo(6), false));

        CheckResult counted = check.evaluate(KEY, SOAK, STAGING, history, lowTraffic, false, GateConfig.InsufficientData.PASS, NOW, INTERVAL);
        CheckResult waited = check.evaluate(KEY, SOAK, STAGING, history, lowTraffic, false, GateConfig.InsufficientData.WAIT, NOW, INTERVAL);

        assertThat(counted).isInstanceOf(CheckResult.Pass.class);
        assertThat(waited).isInstanceOfSatisfying(CheckResult.Wait.class,
                wait -> assertThat(wait.reason()).isEqualTo("soak interrupted: payments-api-5xx is INSUFFICIENT_DATA"));
    }

    enum Kind { PASS, WAIT, FAIL }

    private static Instant minutesAgo(int minutes) {
        return NOW.minus(Duration.ofMinutes(minutes));
    }

    private static Instant hoursAgo(int hours) {
        return NOW.minus(Duration.ofHours(hours));
    }

    /** The gate's alarms, all OK since long before any soak here started. */
    private static List<AlarmState> quiet() {
        return List.of(okSince(FIVE_XX, hoursAgo(6)), okSince(LATENCY, hoursAgo(6)));
    }

    private static AlarmState okSince(String name, Instant since) {
        return new AlarmState(name, OK, "Threshold Crossed", since, false);
    }

    private static AlarmState notOk(String name, AlarmStates.State state) {
        return new AlarmState(name, state, "Threshold Crossed", minutesAgo(1), false);
    }

    /** A release in staging whose rollout completed at {@code completedAt}, claimed a few minutes before. */
    private static Release completedIn(ImageDigest digest, Instant completedAt) {
        return release(digest, SERVICE_UPDATED, COMPLETED, completedAt.minus(Duration.ofMinutes(4)), completedAt);
    }

    /** A release that took staging over from whatever ran there: it counts from its claim, before its own rollout. */
    private static Release replacedBy(ImageDigest digest, Instant claimedAt) {
        return release(digest, SERVICE_UPDATED, COMPLETED, claimedAt, claimedAt.plus(Duration.ofMinutes(4)));
    }

    private static Release failedIn(ImageDigest digest, RolloutStatus status, String reason) {
        Release updated = release(digest, SERVICE_UPDATED, IN_PROGRESS, minutesAgo(20), minutesAgo(18));
        return updated.rollout(status, reason, minutesAgo(10));
    }

    private static Release release(ImageDigest digest, ReleaseStatus status, RolloutStatus rollout, Instant createdAt, Instant updatedAt) {
        return new Release(new ReleaseKey("payments-api", STAGING, digest), "1.4.2", "payments-api@" + digest, "event-" + digest.shortForm(),
                status, "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:6",
                "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:7", List.of(), null, null, createdAt, updatedAt,
                rollout, null, null);
    }

    private static Arguments row(String scenario, List<Release> stagingHistory, List<AlarmState> alarms, boolean alarmsUnreadable,
            Kind kind, String reason, Instant nextLook, String evidenceLine) {
        return Arguments.of(scenario, stagingHistory, alarms, alarmsUnreadable, kind, reason, nextLook, evidenceLine);
    }
}
