package dev.gantry.core.notify;

import static dev.gantry.core.notify.Story.SERVICE;
import static dev.gantry.core.notify.Story.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.RebuildOutcome;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseNewsTest {

    @Test
    void readsTheOldTagAndDigestOfADeployFromItsChangeWhenThePreviousReleaseIsUnknown() {
        DeployStarted news = Story.deployed("staging", T0);

        assertThat(news.previousTag()).isEqualTo("1.3.0");
        assertThat(news.previousDigest()).isEqualTo("sha256:" + Story.PREVIOUS.shortForm());
        assertThat(news.changes()).containsExactly(Story.CHANGE);
        assertThat(news.taskDefinitionArn()).isEqualTo(Story.taskDefinition("staging", 7));
        assertThat(news.region()).isEqualTo("eu-west-1");
        assertThat(news.newsId()).isEqualTo("deploy/payments-api/staging/" + Story.DIGEST.shortForm());
        assertThat(news.thread()).isEqualTo(ThreadKey.release(SERVICE, Story.DIGEST));
    }

    @Test
    void takesTheOldTagAndDigestFromThePreviousReleaseWhenGiven() {
        Release release = Story.release("prod", T0);
        Release previous = Release.proposed(new ReleaseKey(SERVICE, "prod", Story.PREVIOUS), "1.3.0-hotfix", Story.IMAGE, "e0", "o", T0, T0);
        DeployOutcome outcome = new DeployOutcome(SERVICE, "prod", DeployOutcome.Result.DEPLOYED, "moved", null, null, List.of());

        DeployStarted news = DeployStarted.of(outcome, release, previous, null, List.of(), T0);

        assertThat(news.previousTag()).isEqualTo("1.3.0-hotfix");
        assertThat(news.previousDigest()).isEqualTo(Story.PREVIOUS.value());
        assertThat(news.changes()).containsExactly(Story.CHANGE);
        assertThat(news.taskDefinitionArn()).isEqualTo(Story.taskDefinition("prod", 7));
        assertThat(news.cluster()).isNull();
    }

    @Test
    void refusesToTellADeployThatStartedNothing() {
        DeployOutcome unchanged = new DeployOutcome(SERVICE, "prod", DeployOutcome.Result.UNCHANGED, "already runs it", null, null, List.of());

        assertThatThrownBy(() -> DeployStarted.of(unchanged, Story.release("prod", T0), null, null, List.of(), T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tellsAHeldOrRefusedDeployAndNothingElse() {
        DeployOutcome held = new DeployOutcome(SERVICE, "prod", DeployOutcome.Result.HELD, "waiting at gate production", null, null, null);
        DeployOutcome skipped = new DeployOutcome(SERVICE, "prod", DeployOutcome.Result.SKIPPED, "tag outside the policy", null, null, null);
        DeployReport report = new DeployReport("event-7", Story.IMAGE, false, null, List.of(held, skipped));

        assertThat(ReleaseNews.DeployDeclined.of(report, held, "1.4.0", T0)).get()
                .satisfies(news -> assertThat(news.newsId()).isEqualTo("declined/payments-api/prod/" + Story.DIGEST.shortForm() + "/HELD/event-7"))
                .satisfies(news -> assertThat(news.thread()).isEqualTo(ThreadKey.release(SERVICE, Story.DIGEST)));
        assertThat(ReleaseNews.DeployDeclined.of(report, skipped, "1.4.0", T0)).isEmpty();
    }

    @Test
    void tellsARolloutOnlyOnceItHasAStatus() {
        Release updated = Story.release("staging", T0);
        Release registered = Release.proposed(updated.key(), "1.4.0", Story.IMAGE, "e", "o", T0, T0);

        assertThat(ReleaseNews.RolloutChanged.of(updated.rollout(RolloutStatus.ROLLED_BACK, "circuit breaker", T0), T0))
                .satisfies(news -> assertThat(news.newsId()).endsWith("/ROLLED_BACK"))
                .satisfies(news -> assertThat(news.reason()).isEqualTo("circuit breaker"));
        assertThatThrownBy(() -> ReleaseNews.RolloutChanged.of(registered, T0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tellsAGateAnswerOnceHoweverOftenTheGateRepeatsIt() {
        GateRecord first = Story.waitingForApprovals(Story.atGate(T0), 0, T0);
        GateRecord repeated = Story.waitingForApprovals(first, 0, T0.plusSeconds(60));
        GateRecord changed = Story.waitingForApprovals(repeated, 1, T0.plusSeconds(120));

        GateChanged news = GateChanged.of(first);

        assertThat(GateChanged.of(repeated).newsId()).isEqualTo(news.newsId());
        assertThat(GateChanged.of(changed).newsId()).isNotEqualTo(news.newsId());
        assertThat(news.approvals()).isZero();
        assertThat(news.approvalsRequired()).isEqualTo(2);
        assertThat(GateChanged.of(changed).approvals()).isEqualTo(1);
        assertThat(news.evidence()).containsExactly("alarms PASS", "  payments-api-5xx: OK", "approvals WAIT: 0 of 2 approvals",
                "  0 of 2 approvals");
        assertThat(news.tag()).isEqualTo("1.4.0");
    }

    @Test
    void tellsADecisionOnlyWhenItIsOnTheReleasesOwnDigest() {
        GateRecord gate = Story.approvedBy(Story.atGate(T0), "U034BOB", T0.plusSeconds(10));
        ImageDigest other = Story.digest("another build");
        gate = gate.withDecision(new Approval("U056CAROL", T0.plusSeconds(20), other, Approval.Decision.APPROVE, null), T0.plusSeconds(20));

        List<ReleaseNews> news = ReleaseNews.ofGate(gate);

        assertThat(news).hasSize(2);
        assertThat(news.getFirst()).isInstanceOfSatisfying(ReleaseNews.GateDecided.class, d -> assertThat(d.by()).isEqualTo("U034BOB"));
        assertThat(news.getLast()).isInstanceOf(GateChanged.class);
    }

    @Test
    void givesARebuildReportAnIdFromWhatItSays() {
        RunKey root = new RunKey("golden/java21", Story.digest("golden"), "new-base");
        RebuildReport report = rebuildReport(root, RebuildOutcome.Action.STARTED, RebuildStatus.STARTED);

        RebuildChanged news = RebuildChanged.of(report, T0).orElseThrow();

        assertThat(RebuildChanged.of(report, T0.plusSeconds(5)).orElseThrow().newsId()).isEqualTo(news.newsId());
        assertThat(RebuildChanged.of(rebuildReport(root, RebuildOutcome.Action.FINISHED, RebuildStatus.SUCCEEDED), T0).orElseThrow().newsId())
                .isNotEqualTo(news.newsId());
        assertThat(news.thread()).isEqualTo(ThreadKey.rebuild("golden/java21", Story.digest("golden")));
        assertThat(news.summary()).isEqualTo("golden/java21 sha256:" + root.baseDigest().shortForm() + " -> rebuilding 14 images, wave 1 of 2");
        assertThat(news.dependents()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo("STARTED");
            assertThat(d.line()).isEqualTo("runtime-java (codebuild runtime-java-image): started build runtime-java-image:17");
        });
    }

    @Test
    void tellsNoRebuildNewsForAReportThatNamesNoCascade() {
        RunKey root = new RunKey("golden/java21", Story.digest("golden"), "new-base");
        RebuildReport sweep = new RebuildReport(RebuildReport.Result.REBUILDING, "sweep", null, null, 0, 0, 0,
                rebuildReport(root, RebuildOutcome.Action.STARTED, RebuildStatus.STARTED).outcomes(), null);
        RebuildReport ignored = new RebuildReport(RebuildReport.Result.IGNORED, "push", null, null, 0, 0, 0, List.of(), "untagged");

        assertThat(RebuildChanged.of(sweep, T0)).isEmpty();
        assertThat(RebuildChanged.of(ignored, T0)).isEmpty();
    }

    private static RebuildReport rebuildReport(RunKey root, RebuildOutcome.Action action, RebuildStatus status) {
        return new RebuildReport(RebuildReport.Result.REBUILDING, "push", root, root, 14, 1, 2,
                List.of(new RebuildOutcome("runtime-java", new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"), 1, action, status,
                        "runtime-java-image:17", action == RebuildOutcome.Action.STARTED ? "started build runtime-java-image:17" : "succeeded")),
                null);
    }
}
