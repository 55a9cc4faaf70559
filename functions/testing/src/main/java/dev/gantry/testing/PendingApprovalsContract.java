package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PendingApprovals;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.release.ReleaseKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PendingApprovals} must do: create once, let one delivery at a time set out to post the card, and
 * move a decision PENDING -> DECIDING -> DECIDED only from the state before, so one decision is sent however many clicks
 * race.
 */
public abstract class PendingApprovalsContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    /** A fresh, empty store for each test. */
    protected abstract PendingApprovals approvals();

    protected static PendingApproval pipelineApproval(String id) {
        return PendingApproval.forPipeline(id, new PendingApproval.PipelineTarget("us-east-2", "MyFirstPipeline", "MyApprovalStage",
                "MyApprovalAction", "token-" + id, "https://console.aws.amazon.com/codepipeline/review", null, "Review the changes"),
                T0, T0.plus(Duration.ofDays(7)));
    }

    protected static PendingApproval gateApproval(String id) {
        ReleaseKey key = new ReleaseKey("payments-api", "prod", ImageDigest.parse("sha256:" + "a1".repeat(32)));
        return PendingApproval.forGate(id, new PendingApproval.GateTarget(key, "production", "1.4.0", List.of("dev@example.com"),
                List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1")), T0, T0.plus(Duration.ofHours(4)));
    }

    @Test
    void createsOnceAndReadsItBackWhole() {
        PendingApprovals approvals = approvals();

        boolean first = approvals.create(gateApproval("ga_1"));
        boolean second = approvals.create(gateApproval("ga_1").postedAt("C1", "1.2"));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(approvals.find("ga_1")).contains(gateApproval("ga_1"));
        assertThat(approvals.find("ga_unknown")).isEmpty();
    }

    @Test
    void remembersWhereTheCardWasPosted() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_1"));

        approvals.cardPosted("pa_1", "C0RELEASES", "1795428000.000100");

        assertThat(approvals.find("pa_1").orElseThrow()).isEqualTo(pipelineApproval("pa_1").postedAt("C0RELEASES", "1795428000.000100"));
    }

    @Test
    void keepsTheMarkerOfTheDeliveryPostingTheCardWithThePlaceItPostedAt() {
        PendingApprovals approvals = approvals();
        PostingMarker marker = new PostingMarker("delivery-1", T0.plusNanos(123_456_789));
        approvals.create(gateApproval("ga_2").postingCard(marker));

        approvals.cardPosted("ga_2", "C0RELEASES", "1795428000.000100");

        assertThat(approvals.find("ga_2").orElseThrow()).isEqualTo(gateApproval("ga_2").postingCard(marker)
                .postedAt("C0RELEASES", "1795428000.000100"));
    }

    @Test
    void letsADeliveryTakeOverPostingTheCardOnlyFromTheMarkerItFoundAndBeforeACardIsRecorded() {
        PendingApprovals approvals = approvals();
        PostingMarker first = new PostingMarker("delivery-1", T0);
        PostingMarker second = new PostingMarker("delivery-2", T0.plusSeconds(360));
        PostingMarker third = new PostingMarker("delivery-3", T0.plusSeconds(361));
        approvals.create(pipelineApproval("pa_5").postingCard(first));
        approvals.create(pipelineApproval("pa_6"));

        boolean tookOver = approvals.startPostingCard("pa_5", first, second);
        boolean tookOverFromAnOldMarker = approvals.startPostingCard("pa_5", first, third);
        boolean tookOverAnApprovalWithoutOne = approvals.startPostingCard("pa_6", null, third);
        approvals.cardPosted("pa_5", "C0RELEASES", "1795428000.000100");
        boolean tookOverAPostedCard = approvals.startPostingCard("pa_5", second, third);

        assertThat(tookOver).isTrue();
        assertThat(tookOverFromAnOldMarker).isFalse();
        assertThat(tookOverAnApprovalWithoutOne).isTrue();
        assertThat(tookOverAPostedCard).isFalse();
        assertThat(approvals.find("pa_5").orElseThrow().postingMarker()).isEqualTo(second);
        assertThat(approvals.find("pa_6").orElseThrow().postingMarker()).isEqualTo(third);
        assertThat(approvals.startPostingCard("pa_missing", null, third)).isFalse();
    }

    @Test
    void recordsOneDecisionAndRefusesTheNext() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_2"));
        PendingApproval.Decision first = new PendingApproval.Decision("U1", true, "Approved in Slack by U1", T0.plusSeconds(5));
        PendingApproval.Decision second = new PendingApproval.Decision("U2", false, "Rejected in Slack by U2", T0.plusSeconds(6));

        assertThat(approvals.startDeciding("pa_2", first)).isTrue();
        assertThat(approvals.startDeciding("pa_2", second)).isFalse();

        PendingApproval stored = approvals.find("pa_2").orElseThrow();
        assertThat(stored.state()).isEqualTo(PendingApproval.State.DECIDING);
        assertThat(stored.decision()).isEqualTo(first);
    }

    @Test
    void decidesAnApprovalTakenForEndedAndPutsItBackEndedWhenCodePipelineRefuses() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_10"));
        approvals.endPipelineApproval("pa_10", "abandoned");
        PendingApproval.Decision decision = new PendingApproval.Decision("U1", true, "Approved in Slack by U1", T0.plusSeconds(5));

        boolean started = approvals.startDeciding("pa_10", decision);
        PendingApproval deciding = approvals.find("pa_10").orElseThrow();
        boolean ended = approvals.endDeciding("pa_10", "abandoned");
        boolean endedAgain = approvals.endDeciding("pa_10", "abandoned");

        assertThat(started).isTrue();
        assertThat(deciding).isEqualTo(pipelineApproval("pa_10").deciding(decision));
        assertThat(ended).isTrue();
        assertThat(endedAgain).isFalse();
        assertThat(approvals.find("pa_10").orElseThrow()).isEqualTo(pipelineApproval("pa_10").ended("abandoned"));
    }

    @Test
    void finishesADecisionOnce() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_3"));
        approvals.startDeciding("pa_3", new PendingApproval.Decision("U1", true, "ok", T0));

        assertThat(approvals.finishDeciding("pa_3", "approved in CodePipeline", T0.plusSeconds(1))).isTrue();
        assertThat(approvals.finishDeciding("pa_3", "again", T0.plusSeconds(2))).isFalse();

        PendingApproval stored = approvals.find("pa_3").orElseThrow();
        assertThat(stored.state()).isEqualTo(PendingApproval.State.DECIDED);
        assertThat(stored.outcome()).isEqualTo("approved in CodePipeline");
    }

    @Test
    void finishesNothingThatIsNotBeingDecided() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_4"));

        assertThat(approvals.finishDeciding("pa_4", "approved", T0)).isFalse();
        assertThat(approvals.startDeciding("pa_missing", new PendingApproval.Decision("U1", true, "ok", T0))).isFalse();
        assertThat(approvals.find("pa_4").orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);
    }

    @Test
    void findsThePipelineApprovalAskedForLastAtAnActionBeforeAnInstant() {
        // given: two runs of the same approval action, another action, another region, and a gate's approval
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_run1", "us-east-2", "MyApprovalAction", T0));
        approvals.create(pipelineApproval("pa_run2", "us-east-2", "MyApprovalAction", T0.plus(Duration.ofHours(2))));
        approvals.create(pipelineApproval("pa_other_action", "us-east-2", "OtherApproval", T0.plusSeconds(60)));
        approvals.create(pipelineApproval("pa_other_region", "eu-west-1", "MyApprovalAction", T0.plusSeconds(60)));
        approvals.create(gateApproval("ga_5"));

        // when
        var endedDuringRun1 = approvals.lastPipelineApprovalBefore("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                T0.plus(Duration.ofHours(1)));
        var endedDuringRun2 = approvals.lastPipelineApprovalBefore("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                T0.plus(Duration.ofHours(3)));
        var endedAsRun1WasAskedFor = approvals.lastPipelineApprovalBefore("us-east-2", "MyFirstPipeline", "MyApprovalStage",
                "MyApprovalAction", T0);
        var elsewhere = approvals.lastPipelineApprovalBefore("us-east-2", "MyFirstPipeline", "OtherStage", "MyApprovalAction",
                T0.plus(Duration.ofHours(3)));

        // then
        assertThat(endedDuringRun1).map(PendingApproval::id).contains("pa_run1");
        assertThat(endedDuringRun2).map(PendingApproval::id).contains("pa_run2");
        assertThat(endedAsRun1WasAskedFor).isEmpty();
        assertThat(elsewhere).isEmpty();
    }

    @Test
    void findsThePipelineApprovalWithItsCardAndDecisionAsTheyStandNow() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_7", "us-east-2", "MyApprovalAction", T0));
        approvals.cardPosted("pa_7", "C0RELEASES", "1795428000.000100");
        approvals.startDeciding("pa_7", new PendingApproval.Decision("U1", true, "ok", T0.plusSeconds(5)));

        var found = approvals.lastPipelineApprovalBefore("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                T0.plusSeconds(10));

        assertThat(found).isEqualTo(approvals.find("pa_7"));
        assertThat(found.orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDING);
    }

    @Test
    void remembersAnActionsEndsAndFindsTheFirstStrictlyAfterAnInstant() {
        // given: two ends of one action, one of them delivered twice, and ends elsewhere
        PendingApprovals approvals = approvals();
        PipelineApprovalEnded run1 = ended("us-east-2", "MyApprovalAction", PipelineApprovalEnded.State.FAILED, T0.plus(Duration.ofHours(1)));
        PipelineApprovalEnded run2 = ended("us-east-2", "MyApprovalAction", PipelineApprovalEnded.State.SUCCEEDED, T0.plus(Duration.ofHours(3)));
        approvals.rememberPipelineApprovalEnd(run2);
        approvals.rememberPipelineApprovalEnd(run1);
        approvals.rememberPipelineApprovalEnd(run1);
        approvals.rememberPipelineApprovalEnd(ended("us-east-2", "OtherApproval", PipelineApprovalEnded.State.ABANDONED, T0.plusSeconds(60)));
        approvals.rememberPipelineApprovalEnd(ended(null, "MyApprovalAction", PipelineApprovalEnded.State.ABANDONED, T0.plusSeconds(60)));

        // when
        var afterRun1Asked = approvals.firstPipelineApprovalEndAfter("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", T0);
        var atRun1sEnd = approvals.firstPipelineApprovalEndAfter("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                run1.at());
        var afterRun2sEnd = approvals.firstPipelineApprovalEndAfter("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                run2.at());
        var noRegion = approvals.firstPipelineApprovalEndAfter(null, "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", T0);

        // then
        assertThat(afterRun1Asked).contains(run1);
        assertThat(atRun1sEnd).contains(run2);
        assertThat(afterRun2sEnd).isEmpty();
        assertThat(noRegion).map(PipelineApprovalEnded::state).contains(PipelineApprovalEnded.State.ABANDONED);
    }

    @Test
    void endsAPendingApprovalCorrectsAnEndedOnesOutcomeAndLeavesADecidedOneAlone() {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_8"));
        approvals.create(pipelineApproval("pa_9"));
        approvals.startDeciding("pa_9", new PendingApproval.Decision("U1", true, "ok", T0.plusSeconds(5)));

        boolean ended = approvals.endPipelineApproval("pa_8", "abandoned");
        boolean corrected = approvals.endPipelineApproval("pa_8", "approved in CodePipeline, outside Slack");
        boolean endedWhileDeciding = approvals.endPipelineApproval("pa_9", "abandoned");
        boolean endedMissing = approvals.endPipelineApproval("pa_missing", "abandoned");

        assertThat(ended).isTrue();
        assertThat(corrected).isTrue();
        assertThat(endedWhileDeciding).isFalse();
        assertThat(endedMissing).isFalse();
        assertThat(approvals.find("pa_8").orElseThrow()).isEqualTo(pipelineApproval("pa_8").ended("approved in CodePipeline, outside Slack"));
        assertThat(approvals.find("pa_9").orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDING);
    }

    private static PipelineApprovalEnded ended(String region, String action, PipelineApprovalEnded.State state, Instant at) {
        return new PipelineApprovalEnded(region, "MyFirstPipeline", "MyApprovalStage", action, "execution-" + at.getEpochSecond(), state, at);
    }

    private static PendingApproval pipelineApproval(String id, String region, String action, Instant askedAt) {
        return PendingApproval.forPipeline(id, new PendingApproval.PipelineTarget(region, "MyFirstPipeline", "MyApprovalStage", action,
                "token-" + id, null, null, null), askedAt, askedAt.plus(Duration.ofDays(7)));
    }
}
