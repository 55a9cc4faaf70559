package dev.gantry.core.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which release a rollback returns to, from an environment's history (newest first). */
class RollbackPlannerTest {

    static Stream<Arguments> histories() {
        return Stream.of(
                row("the one before the current, completed", "1.3.0", "1.4.0", List.of(),
                        done("1.4.0"), done("1.3.0"), done("1.2.0")),
                row("passes over a release that rolled back", "1.3.0", "1.5.0", List.of(skipped("1.4.0", "rolled back")),
                        done("1.5.0"), rolledBack("1.4.0"), done("1.3.0")),
                row("the newest rolled back, so ECS already runs the one before: go one further", "1.2.0", "1.3.0", List.of(),
                        rolledBack("1.4.0"), done("1.3.0"), done("1.2.0")),
                row("passes over a failed and an unfinished rollout", "1.1.0", "1.4.0",
                        List.of(skipped("1.3.0", "its rollout failed"), skipped("1.2.0", "its rollout never completed")),
                        done("1.4.0"), failed("1.3.0"), inProgress("1.2.0"), done("1.1.0")),
                row("passes over a release that never moved the service", "1.2.0", "1.4.0", List.of(skipped("1.3.0", "never moved the service")),
                        done("1.4.0"), registered("1.3.0"), done("1.2.0")),
                row("passes over a vetoed digest", "1.1.0", "1.4.0", List.of(skipped("1.3.0", "vetoed here")),
                        done("1.4.0"), done("1.3.0"), done("1.1.0")),
                row("nothing earlier qualifies", null, "1.4.0", List.of(skipped("1.3.0", "rolled back")),
                        done("1.4.0"), rolledBack("1.3.0")),
                row("a running, unfinished rollout is still what runs", "1.3.0", "1.4.0", List.of(),
                        inProgress("1.4.0"), done("1.3.0")),
                row("nothing runs", null, null, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void picksTheTarget(String scenario, String expectedTarget, String expectedCurrent, List<String> passedOver, List<Release> history) {
        Set<String> vetoed = Set.of("1.3.0");
        boolean vetoScenario = scenario.contains("vetoed");

        RollbackPlanner.Plan plan = RollbackPlanner.plan(history, r -> vetoScenario && vetoed.contains(r.tag()));

        assertThat(plan.target() == null ? null : plan.target().tag()).isEqualTo(expectedTarget);
        assertThat(plan.current() == null ? null : plan.current().tag()).isEqualTo(expectedCurrent);
        assertThat(plan.possible()).isEqualTo(expectedTarget != null);
        assertThat(plan.passedOver()).isEqualTo(passedOver);
    }

    private static Arguments row(String scenario, String target, String current, List<String> passedOver, Release... history) {
        return Arguments.of(scenario, target, current, passedOver, new ArrayList<>(List.of(history)));
    }

    /** A passed-over line as the planner writes it. */
    private static String skipped(String tag, String why) {
        return RollbackPlanner.describe(done(tag)) + ": " + why;
    }

    private static Release done(String tag) {
        return release(tag, ReleaseStatus.SERVICE_UPDATED, RolloutStatus.COMPLETED);
    }

    private static Release rolledBack(String tag) {
        return release(tag, ReleaseStatus.SERVICE_UPDATED, RolloutStatus.ROLLED_BACK);
    }

    private static Release failed(String tag) {
        return release(tag, ReleaseStatus.SERVICE_UPDATED, RolloutStatus.FAILED);
    }

    private static Release inProgress(String tag) {
        return release(tag, ReleaseStatus.SERVICE_UPDATED, RolloutStatus.IN_PROGRESS);
    }

    private static Release registered(String tag) {
        return release(tag, ReleaseStatus.REGISTERED, null);
    }

    /** A digest derived from the tag, so each release has its own. */
    private static Release release(String tag, ReleaseStatus status, RolloutStatus rollout) {
        String hex = tag.replace(".", "0") + "b".repeat(64 - tag.length());
        ImageDigest digest = ImageDigest.parse("sha256:" + hex);
        Instant at = Instant.parse("2026-11-23T10:00:00Z");
        return new Release(new ReleaseKey("payments-api", "staging", digest), tag, "payments-api@" + digest.value(), "event-" + tag, status,
                null, "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:1", List.of(), null, null, at, at, rollout,
                null, null);
    }
}
