package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_1;
import static dev.gantry.core.chatops.ChatOpsWorld.DEV;
import static dev.gantry.core.chatops.ChatOpsWorld.GROUP_APPROVER;
import static dev.gantry.core.chatops.ChatOpsWorld.OPS;
import static dev.gantry.core.chatops.ChatOpsWorld.REVIEWER;
import static dev.gantry.core.chatops.ChatOpsWorld.STRANGER;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static dev.gantry.core.chatops.ChatOpsWorld.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.RecordingPipelineApprovals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Clicks on approval cards: who may decide, once, and what a refused or repeated click changes (nothing). */
class ApprovalClicksTest {

    private static final ImageDigest D140 = digest("a1");
    private static final ImageDigest D141 = digest("b2");

    private final ChatOpsWorld world = new ChatOpsWorld();

    @Nested
    class PipelineApprovalCards {

        private final PipelineApprovalNotice notice = inTheTestsWeek(
                PipelineApprovalNotice.parse(Fixtures.eventText("codepipeline-manual-approval-sns-message.json")));
        private final PendingApproval card;

        PipelineApprovalCards() {
            world.pipelines.givenWaiting(notice.token());
            card = world.approvalRequests.requestPipelineApproval(notice, null);
        }

        @Test
        void postsOneCardPerApprovalWhoseButtonsCarryOnlyAnOpaqueId() {
            // when: SNS delivers the notification again
            PendingApproval again = world.approvalRequests.requestPipelineApproval(notice, null);

            // then
            assertThat(world.chat.posts).hasSize(1);
            assertThat(again).isEqualTo(card);
            assertThat(card.channelId()).isEqualTo("C0RELEASES");
            ChatMessage.Actions actions = actions(world.chat.posts.get(0));
            assertThat(actions.buttons()).extracting(ChatMessage.Button::actionId, ChatMessage.Button::value)
                    .containsExactly(tuple(ApprovalCards.PIPELINE_APPROVE, card.id()), tuple(ApprovalCards.PIPELINE_REJECT, card.id()),
                            tuple(ApprovalCards.LINK_REVIEW, null), tuple(ApprovalCards.LINK_DETAILS, null));
            assertThat(card.id()).startsWith("pa_").doesNotContain(notice.token()).doesNotContain(notice.pipeline());
            assertThat(actions.buttons().get(0).confirm()).isNotNull();
            assertThat(actions.buttons().get(1).confirm().text()).contains("stops at MyApprovalAction");
            assertThat(actions.buttons().get(2).url()).isEqualTo(notice.approvalReviewLink());
            assertThat(textOf(world.chat.posts.get(0)))
                    .contains(">Review the latest changes and approve or reject within seven days.")
                    .contains("May decide here: <@" + OPS + ">, <!subteam^S0REVIEWRS>");
        }

        @Test
        void anApprovalIsSentOnceAndTheCardShowsWhoDecided() {
            // when
            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            assertThat(world.pipelines.results()).containsExactly(new RecordingPipelineApprovals.Result("MyFirstPipeline", "MyApprovalStage",
                    "MyApprovalAction", notice.token(), true, "Approved in Slack by " + OPS));
            assertThat(reply.replaceOriginal()).isTrue();
            assertThat(textOf(reply)).contains("*Approved* by <@" + OPS + ">").contains("approved in CodePipeline")
                    .doesNotContain("[Approve]");
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
            assertThat(world.audit.entries()).extracting(AuditEntry::id, AuditEntry::action, AuditEntry::subject, AuditEntry::outcome)
                    .containsExactly(tuple("click#" + card.id() + "#" + OPS, "approve", "MyFirstPipeline/MyApprovalStage/MyApprovalAction",
                            AuditEntry.Outcome.DONE));
        }

        @Test
        void aMemberOfAPermittedGroupMayReject() {
            ChatReply reply = world.chatOps.handle(world.click(REVIEWER, ApprovalCards.PIPELINE_REJECT, card.id()));

            assertThat(world.pipelines.results()).singleElement().satisfies(r -> assertThat(r.approved()).isFalse());
            assertThat(textOf(reply)).contains("*Rejected* by <@" + REVIEWER + ">");
        }

        @Test
        void aDoubleClickSendsOneResult() {
            world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            ChatReply second = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            assertThat(world.pipelines.calls()).isEqualTo(1);
            assertThat(second.replaceOriginal()).isTrue();
            assertThat(textOf(second)).contains("*Approved* by <@" + OPS + ">");
        }

        @Test
        void aClickArrivingWhileTheSamePersonsFirstIsHandledChangesNothing() {
            // given: the first click holds the request's claim and has not recorded its decision yet
            world.ledger.claim("click#" + card.id() + "#" + OPS, "first-click", world.clock.instant(), ChatOpsService.LEASE);

            // when
            ChatReply second = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            assertThat(textOf(second)).isEqualTo("Already being handled; the answer follows.");
            assertThat(world.pipelines.calls()).isZero();
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);
        }

        @Test
        void aSecondPersonsClickIsToldWhoDecidedFirst() {
            world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            ChatReply late = world.chatOps.handle(world.click(REVIEWER, ApprovalCards.PIPELINE_REJECT, card.id()));

            assertThat(world.pipelines.calls()).isEqualTo(1);
            assertThat(late.replaceOriginal()).isTrue();
            assertThat(textOf(late)).contains("*Approved* by <@" + OPS + ">");
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::outcome, AuditEntry::detail)
                    .containsExactly(tuple(OPS, AuditEntry.Outcome.DONE, "MyFirstPipeline/MyApprovalStage/MyApprovalAction: approved by "
                                    + OPS + "; approved in CodePipeline"),
                            tuple(REVIEWER, AuditEntry.Outcome.REFUSED, "already decided by " + OPS + ": approved in CodePipeline"));
        }

        @Test
        void anApprovalDecidedInTheConsoleIsReportedAsSuch() {
            world.pipelines.decidedElsewhere(notice.token());

            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            assertThat(world.pipelines.results()).isEmpty();
            assertThat(textOf(reply)).contains("not applied: already decided outside Slack (console or CLI) before this click");
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
            assertThat(world.audit.entries()).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.REFUSED);
        }

        @Test
        void aTokenCodePipelineNoLongerTakesClosesTheCard() {
            // given: the stage ran again, so this card's token is not the current one
            PipelineApprovalNotice rerun = new PipelineApprovalNotice(notice.region(), notice.consoleLink(), notice.pipeline(), notice.stage(),
                    notice.action(), "token-of-an-earlier-run", notice.expires(), null, null, notice.customData());
            PendingApproval staleCard = world.approvalRequests.requestPipelineApproval(rerun, null);

            // when
            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, staleCard.id()));

            // then
            assertThat(world.pipelines.calls()).isEqualTo(1);
            assertThat(world.pipelines.results()).isEmpty();
            assertThat(textOf(reply)).contains("CodePipeline no longer takes this approval");
            assertThat(world.pending.find(staleCard.id()).orElseThrow().outcome()).startsWith("not applied");
        }

        @Test
        void refusesSomeoneNotPermittedAndChangesNothing() {
            ChatReply reply = world.chatOps.handle(world.click(STRANGER, ApprovalCards.PIPELINE_APPROVE, card.id()));

            assertThat(reply.ephemeral()).isTrue();
            assertThat(reply.replaceOriginal()).isFalse();
            assertThat(textOf(reply)).contains("You may not decide CodePipeline approvals from Slack");
            assertThat(world.pipelines.calls()).isZero();
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::outcome)
                    .containsExactly(tuple(STRANGER, AuditEntry.Outcome.REFUSED));
        }

        @Test
        void refusesAnUnknownIdAndAButtonOfTheOtherKind() {
            ChatReply unknown = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, "pa_0000000000000000forged"));
            ChatReply otherKind = world.chatOps.handle(world.click(OPS, ApprovalCards.GATE_APPROVE, card.id()));
            ChatReply noButton = world.chatOps.handle(world.click(OPS, "gantry.deploy.everything", card.id()));

            assertThat(textOf(unknown)).isEqualTo("This button names no approval Gantry asked for; nothing was decided");
            assertThat(textOf(otherKind)).isEqualTo("This button does not belong to the approval it names; nothing was decided");
            assertThat(textOf(noButton)).isEqualTo("Gantry has no button 'gantry.deploy.everything'");
            assertThat(world.pipelines.calls()).isZero();
        }

        @Test
        void refusesAButtonNamingTheApprovalOfAnotherCardAndRedrawsNeitherCard() {
            // given: the next run's card, decided
            PipelineApprovalNotice nextRun = new PipelineApprovalNotice(notice.region(), notice.consoleLink(), notice.pipeline(), notice.stage(),
                    notice.action(), "token-of-the-next-run", notice.expires(), null, null, notice.customData());
            world.pipelines.givenWaiting(nextRun.token());
            PendingApproval decided = world.approvalRequests.requestPipelineApproval(nextRun, null);
            world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, decided.id()));

            // when: buttons on one card name the other card's approval
            ChatReply onThisCard = world.chatOps.handle(world.clickOn(card.channelId(), card.messageTs(), STRANGER,
                    ApprovalCards.PIPELINE_REJECT, decided.id()));
            ChatReply onTheDecidedCard = world.chatOps.handle(world.clickOn(decided.channelId(), decided.messageTs(), OPS,
                    ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            for (ChatReply reply : List.of(onThisCard, onTheDecidedCard)) {
                assertThat(reply.replaceOriginal()).isFalse();
                assertThat(reply.ephemeral()).isTrue();
                assertThat(textOf(reply)).isEqualTo("This button does not belong to the approval it names; nothing was decided");
            }
            assertThat(world.pipelines.calls()).isEqualTo(1);
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);
        }

        @Test
        void refusesAClickAfterTheApprovalExpired() {
            world.clock.advance(Duration.ofDays(3));

            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            assertThat(textOf(reply)).isEqualTo("This approval expired at " + card.expiresAt() + "; nothing was decided");
            assertThat(world.pipelines.calls()).isZero();
        }

        @Test
        void aClickOnAnotherWorkspacesCopyIsRefused() {
            ChatAction foreign = new ChatAction("T0OTHER01", ChatOpsWorld.APP, OPS, ApprovalCards.PIPELINE_APPROVE, card.id(), null, "t-1",
                    "C1", "1.1");

            ChatReply reply = world.chatOps.handle(foreign);

            assertThat(textOf(reply)).contains("does not answer requests from this Slack workspace");
            assertThat(world.pipelines.calls()).isZero();
        }

        @Test
        void aDecisionRecordedButNotToldIsSentByTheNextClickOnceItIsStale() {
            // given: OPS's click recorded its approval and the function died before telling CodePipeline
            PendingApproval.Decision recorded = new PendingApproval.Decision(OPS, true, "Approved in Slack by ops (" + OPS + ")",
                    world.clock.instant());
            world.pending.given(world.pending.find(card.id()).orElseThrow().deciding(recorded));

            // when: someone clicks Reject while the first click might still be running
            ChatReply tooSoon = world.chatOps.handle(world.click(REVIEWER, ApprovalCards.PIPELINE_REJECT, card.id()));
            world.clock.advance(ApprovalDecisions.RESUME_AFTER);
            ChatReply resumed = world.chatOps.handle(world.click(REVIEWER, ApprovalCards.PIPELINE_REJECT, card.id()));

            // then: the recorded approval is what CodePipeline hears, once
            assertThat(textOf(tooSoon)).contains("CodePipeline is being told");
            assertThat(world.pipelines.results()).singleElement().satisfies(r -> {
                assertThat(r.approved()).isTrue();
                assertThat(r.summary()).isEqualTo(recorded.summary());
            });
            assertThat(textOf(resumed)).contains("*Approved* by <@" + OPS + ">");
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
        }

        @Test
        void aClickCodePipelineCouldNotBeToldIsDeliveredAgainAndItsRedeliverySendsTheDecision() {
            // given: OPS's approval was recorded, but CodePipeline could not be reached
            world.pipelines.failNext(new PipelineApprovals.PipelineApprovalsException("unreachable", null));
            ChatAction click = world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id());
            ChatReply failed = world.chatOps.handle(click);

            // when: the queue delivers the click again, too soon and then once the decision may be resumed
            world.clock.advance(Duration.ofSeconds(30));
            ChatReply tooSoon = world.chatOps.handle(click);
            world.clock.advance(ApprovalDecisions.RESUME_AFTER);
            ChatReply resumed = world.chatOps.handle(click);

            // then: OPS is told Gantry retries, and the redelivery sends the recorded approval, once, by itself
            assertThat(failed.retryLater()).isTrue();
            assertThat(textOf(failed)).isEqualTo("Your decision is recorded but CodePipeline could not be told yet; Gantry sends it again in a"
                    + " few minutes.");
            assertThat(tooSoon.retryLater()).isTrue();
            assertThat(textOf(tooSoon)).contains("Gantry sends it again after 10:02:00 UTC.");
            assertThat(resumed.retryLater()).isFalse();
            assertThat(textOf(resumed)).contains("*Approved* by <@" + OPS + ">");
            assertThat(world.pipelines.results()).singleElement().satisfies(r -> assertThat(r.approved()).isTrue());
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
            assertThat(world.audit.entries()).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.FAILED, AuditEntry.Outcome.DONE);
        }

        @Test
        void aResumedDecisionThatCodePipelineHadTakenCountsAsSent() {
            // given: the first attempt told CodePipeline, then died before recording it
            PendingApproval.Decision recorded = new PendingApproval.Decision(OPS, false, "Rejected in Slack", world.clock.instant());
            world.pending.given(world.pending.find(card.id()).orElseThrow().deciding(recorded));
            world.pipelines.decidedElsewhere(notice.token());
            world.clock.advance(ApprovalDecisions.RESUME_AFTER);

            // when
            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            assertThat(textOf(reply)).contains("*Rejected* by <@" + OPS + ">").contains("rejected in CodePipeline");
            assertThat(world.audit.entries()).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.DONE);
        }

        @Test
        void aCodePipelineOutageKeepsTheDecisionForTheNextClick() {
            // given
            world.pipelines.failNext(new PipelineApprovals.PipelineApprovalsException("throttled", null));

            // when
            ChatReply failed = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));
            world.clock.advance(ApprovalDecisions.RESUME_AFTER);
            ChatReply retried = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            assertThat(textOf(failed)).isEqualTo("Your decision is recorded but CodePipeline could not be told yet; Gantry sends it again in a"
                    + " few minutes.");
            assertThat(textOf(retried)).contains("*Approved* by <@" + OPS + ">");
            assertThat(world.pipelines.results()).hasSize(1);
            assertThat(world.audit.entries()).extracting(AuditEntry::outcome)
                    .containsExactly(AuditEntry.Outcome.FAILED, AuditEntry.Outcome.DONE);
        }

        @Test
        void aLinkButtonsClickNeedsNoAnswer() {
            assertThat(world.chatOps.handle(world.click(STRANGER, ApprovalCards.LINK_REVIEW, null))).isEqualTo(ChatReply.NOTHING);
        }
    }

    @Nested
    class GateApprovalCards {

        private final GateRecord waiting = world.waitingAtProd("1.4.0", D140);
        private final PendingApproval card = world.approvalRequests.requestGateApproval(waiting,
                List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1"));
        private final ReleaseKey key = new ReleaseKey("payments-api", "prod", D140);

        @Test
        void theCardSaysWhatIsApprovedByWhomAndUntilWhen() {
            String posted = textOf(world.chat.posts.get(0));

            assertThat(posted).contains("Approve payments-api 1.4.0 for prod?")
                    .contains("until 2 of the people below approve this digest")
                    .contains("`" + D140.value() + "`")
                    .contains("`app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1`")
                    .contains("May approve: <@U0APPR001>, <@U0APPR002>, <@U0DEV0001>, <!subteam^S0APPROVE>; not <@U0DEV0001>, who triggered it")
                    .contains("*Expires*\n2026-11-23T14:00:00Z");
            assertThat(actions(world.chat.posts.get(0)).buttons()).extracting(ChatMessage.Button::actionId, ChatMessage.Button::value)
                    .containsExactly(tuple(ApprovalCards.GATE_APPROVE, card.id()), tuple(ApprovalCards.GATE_REJECT, card.id()));
        }

        @Test
        void twoOfTheApproversPassTheGate() {
            // when
            ChatReply first = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            ChatReply second = world.chatOps.handle(world.click(GROUP_APPROVER, ApprovalCards.GATE_APPROVE, card.id()));

            // then
            assertThat(textOf(first)).contains("approved by <@" + APPROVER_1 + ">").contains("[Approve]");
            assertThat(first.replaceOriginal()).isTrue();
            assertThat(world.gates.find(key).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
            assertThat(textOf(second)).contains("*Gate decided*: PASSED").doesNotContain("[Approve]");
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::digest, AuditEntry::outcome)
                    .containsExactly(tuple(APPROVER_1, "approve", D140.value(), AuditEntry.Outcome.DONE),
                            tuple(GROUP_APPROVER, "approve", D140.value(), AuditEntry.Outcome.DONE));
        }

        @Test
        void aDoubleClickRecordsOneDecision() {
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            ChatReply again = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(world.gates.find(key).orElseThrow().decisions()).hasSize(1);
            assertThat(textOf(again)).startsWith("Already done: payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1);
        }

        @Test
        void aClickOnADecisionWithItsAuditEntryListsNoEntries() {
            // given: APPROVER_1's approval and its entry, in a busy audit day
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE.multipliedBy(2));

            // when: they click again, before and after the grace
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_REJECT, card.id()));

            // then: the decision's entry was read by its id alone
            assertThat(world.audit.listings()).isEmpty();
        }

        @Test
        void aDoubleClickWritesOneAuditEntry() {
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::outcome)
                    .containsExactly(tuple(APPROVER_1, "approve", AuditEntry.Outcome.DONE));
        }

        @Test
        void aDecisionWhoseAuditEntryFailedIsAuditedOnceWhenTheClickIsDeliveredAgainAfterTheGrace() {
            // given: APPROVER_1's approval is recorded on the gate, then writing its audit entry fails
            Instant decidedAt = world.clock.instant();
            ChatAction click = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            world.audit.failNextWith(new AuditLog.AuditLogException("state table unreachable", null));
            assertThatThrownBy(() -> world.chatOps.handle(click)).isInstanceOf(AuditLog.AuditLogException.class);

            // when: the queue delivers the click again at once, and after the grace, twice
            ChatReply tooSoon = world.chatOps.handle(click);
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE);
            ChatReply redelivered = world.chatOps.handle(click);
            world.chatOps.handle(click);

            // then
            assertThat(tooSoon.retryLater()).isTrue();
            assertThat(redelivered.retryLater()).isFalse();
            assertThat(world.gates.find(key).orElseThrow().decisions()).hasSize(1);
            assertThat(textOf(redelivered)).startsWith("Already done: payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1);
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::digest, AuditEntry::outcome,
                    AuditEntry::at).containsExactly(tuple(APPROVER_1, "approve", D140.value(), AuditEntry.Outcome.DONE, decidedAt));
        }

        @Test
        void aDecisionWhoseWorkerStoppedBeforeAuditingIsAuditedOnceByTheRedeliveryAfterTheGrace() {
            // given: a worker claimed APPROVER_1's click, recorded the approval on the gate and stopped there
            ChatAction click = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            String clicks = "click#" + card.id() + "#" + APPROVER_1;
            world.ledger.claim(clicks + "#" + click.triggerId(), "stopped-worker", world.clock.instant(), ChatOpsService.LEASE);
            world.ledger.claim(clicks + "#approve#over#none", "stopped-worker", world.clock.instant(), ChatOpsService.LEASE);
            Instant decidedAt = world.clock.instant();
            world.gates.decide(key, new Approval(APPROVER_1, decidedAt, D140, Approval.Decision.APPROVE, null));

            // when: the queue delivers the click again while the stopped worker's lease runs, and once the grace is over
            world.clock.advance(Duration.ofSeconds(30));
            ChatReply inTheGrace = world.chatOps.handle(click);
            List<AuditEntry> writtenInTheGrace = world.audit.entries();
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE);
            world.chatOps.handle(click);

            // then: one entry, dated with the decision, saying what is known
            assertThat(inTheGrace.retryLater()).isTrue();
            assertThat(writtenInTheGrace).isEmpty();
            assertThat(world.gates.find(key).orElseThrow().decisions()).hasSize(1);
            assertThat(world.audit.entries()).singleElement().satisfies(entry -> {
                assertThat(entry.at()).isEqualTo(decidedAt);
                assertThat(entry).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::service, AuditEntry::environment,
                        AuditEntry::digest, AuditEntry::outcome)
                        .containsExactly(APPROVER_1, "approve", "payments-api", "prod", D140.value(), AuditEntry.Outcome.DONE);
                assertThat(entry.detail()).isEqualTo("payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1 + " at " + decidedAt
                        + ", as recorded on the gate; entry written late, at " + world.clock.instant() + ", none having been written");
            });
        }

        @Test
        void aDoubleClickCheckedBeforeTheFirstClickAuditedWritesNothingAndTheFirstClicksEntryStands() {
            // given: the second click is checked after the first put its approval on the gate, before it wrote its entry
            ChatAction first = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            ChatAction second = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            List<ChatReply> secondReplies = new ArrayList<>();
            world.audit.beforeNextRecord(() -> secondReplies.add(world.chatOps.handle(second)));

            // when: the first click finishes, and the second is delivered again after the grace
            world.chatOps.handle(first);
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE);
            secondReplies.add(world.chatOps.handle(second));

            // then: the first click's own entry, with the gate's result, is the only one
            assertThat(secondReplies).extracting(ChatReply::retryLater).containsExactly(true, false);
            assertThat(world.audit.entries()).singleElement().satisfies(entry -> {
                assertThat(entry.userId()).isEqualTo(APPROVER_1);
                assertThat(entry.detail()).startsWith("payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1 + "; gate WAITING (");
            });
        }

        @Test
        void aDecisionAuditedUnderItsClicksIdBeforeDecisionsWereKeyedIsNotAuditedAgain() {
            // given: APPROVER_1's approval, audited under the click's id, as entries were written before
            Instant decidedAt = world.clock.instant();
            world.gates.decide(key, new Approval(APPROVER_1, decidedAt, D140, Approval.Decision.APPROVE, null));
            world.audit.record(new AuditEntry("click#" + card.id() + "#" + APPROVER_1 + "#trigger-old", decidedAt.plusSeconds(20),
                    ChatOpsWorld.TEAM, APPROVER_1, null, "approve", "payments-api", "prod", D140.value(), "gate production",
                    AuditEntry.Outcome.DONE, "payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1 + "; gate WAITING"));

            // when: they click Approve again, after the grace, while their approval still counts
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE.multipliedBy(2));
            ChatReply again = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            // then: only the decision's grace was listed
            assertThat(again.retryLater()).isFalse();
            assertThat(world.audit.entries()).extracting(AuditEntry::id).containsExactly("click#" + card.id() + "#" + APPROVER_1 + "#trigger-old");
            assertThat(world.audit.listings()).containsExactly("payments-api between " + decidedAt + " and "
                    + decidedAt.plus(ChatOpsService.AUDIT_BACKFILL_GRACE));
        }

        @Test
        void anApprovalThatPassedTheGateIsAuditedOnceWhenItsClickIsDeliveredAgain() {
            // given: GROUP_APPROVER approved; APPROVER_1's approval passes the gate, and writing its entry fails
            world.chatOps.handle(world.click(GROUP_APPROVER, ApprovalCards.GATE_APPROVE, card.id()));
            ChatAction click = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            world.audit.failNextWith(new AuditLog.AuditLogException("state table unreachable", null));
            assertThatThrownBy(() -> world.chatOps.handle(click)).isInstanceOf(AuditLog.AuditLogException.class);

            // when
            world.clock.advance(ChatOpsService.AUDIT_BACKFILL_GRACE);
            ChatReply redelivered = world.chatOps.handle(click);

            // then: the click counted, so its redelivery is no refusal; it redraws the decided card
            assertThat(world.gates.find(key).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
            assertThat(textOf(redelivered)).contains("*Gate decided*: PASSED");
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::outcome)
                    .containsExactly(tuple(GROUP_APPROVER, "approve", AuditEntry.Outcome.DONE), tuple(APPROVER_1, "approve", AuditEntry.Outcome.DONE));
        }

        @Test
        void aRejectAfterTheSamePersonsApprovalFailsTheGate() {
            // given: APPROVER_1 approved, then saw a bug
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            // when
            ChatReply reject = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_REJECT, card.id()));

            // then
            GateRecord record = world.gates.find(key).orElseThrow();
            assertThat(record.decisions()).extracting(Approval::userId, Approval::decision)
                    .containsExactly(tuple(APPROVER_1, Approval.Decision.APPROVE), tuple(APPROVER_1, Approval.Decision.REJECT));
            assertThat(record.status()).isEqualTo(GateStatus.FAILED);
            assertThat(textOf(reject)).contains("*Gate decided*: FAILED");
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::outcome)
                    .containsExactly(tuple(APPROVER_1, "approve", AuditEntry.Outcome.DONE), tuple(APPROVER_1, "reject", AuditEntry.Outcome.DONE));
        }

        @Test
        void anApprovalThatExpiredIsGivenAgainByTheNextClick() {
            // given: APPROVER_1's approval expired (expiresAfter 1h), the card has not (timeout 4h)
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            world.clock.advance(Duration.ofMinutes(61));

            // when
            world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            ChatReply second = world.chatOps.handle(world.click(GROUP_APPROVER, ApprovalCards.GATE_APPROVE, card.id()));

            // then: the renewed approval and GROUP_APPROVER's are two of two
            assertThat(world.gates.find(key).orElseThrow().decisions()).extracting(Approval::userId)
                    .containsExactly(APPROVER_1, APPROVER_1, GROUP_APPROVER);
            assertThat(world.gates.find(key).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
            assertThat(textOf(second)).contains("*Gate decided*: PASSED");
        }

        @Test
        void aRepeatOfTheSameClickChangesNothingEvenOnceItsApprovalExpired() {
            // given
            ChatAction click = world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id());
            world.chatOps.handle(click);
            world.clock.advance(Duration.ofMinutes(61));

            // when: the queue delivers the same request again
            ChatReply replayed = world.chatOps.handle(click);

            // then
            assertThat(world.gates.find(key).orElseThrow().decisions()).hasSize(1);
            assertThat(textOf(replayed)).startsWith("Already done: payments-api/prod/a1a1a1a1a1a1: approved by " + APPROVER_1);
        }

        @Test
        void aClickArrivingWhileTheSamePersonsSameDecisionIsHandledChangesNothing() {
            // given: APPROVER_1's first click holds the claim on approving over no decision of theirs, not recorded yet
            world.ledger.claim("click#" + card.id() + "#" + APPROVER_1 + "#approve#over#none", "first-click", world.clock.instant(),
                    ChatOpsService.LEASE);

            // when
            ChatReply second = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));
            world.ledger.abandon("click#" + card.id() + "#" + APPROVER_1 + "#approve#over#none", "first-click", world.clock.instant());
            ChatReply afterTheFirstGaveUp = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            // then: the second click's own claim was given up with it, so nothing stands in the way of a later click
            assertThat(textOf(second)).isEqualTo("Already being handled; the answer follows.");
            assertThat(textOf(afterTheFirstGaveUp)).contains("approved by <@" + APPROVER_1 + ">");
            assertThat(world.gates.find(key).orElseThrow().decisions()).hasSize(1);
        }

        @Test
        void refusesTheApprovalOfWhoeverTriggeredTheRelease() {
            // DEV pushed as dev@example.com, an alias of theirs under slack.people, and is one of the gate's approvers
            ChatReply reply = world.chatOps.handle(world.click(DEV, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(textOf(reply)).isEqualTo("You triggered this release, so someone else must approve it; nothing was decided");
            assertThat(world.gates.find(key).orElseThrow().decisions()).isEmpty();
            assertThat(world.audit.entries()).extracting(AuditEntry::userId, AuditEntry::action, AuditEntry::outcome)
                    .containsExactly(tuple(DEV, "approve", AuditEntry.Outcome.REFUSED));
        }

        @Test
        void letsWhoeverTriggeredTheReleaseRejectIt() {
            ChatReply reply = world.chatOps.handle(world.click(DEV, ApprovalCards.GATE_REJECT, card.id()));

            GateRecord record = world.gates.find(key).orElseThrow();
            assertThat(record.status()).isEqualTo(GateStatus.FAILED);
            assertThat(record.decisions()).extracting(Approval::userId, Approval::decision).containsExactly(tuple(DEV, Approval.Decision.REJECT));
            assertThat(textOf(reply)).contains("*Gate decided*: FAILED");
        }

        @Test
        void refusesSomeoneWhoIsNotAnApprover() {
            ChatReply reply = world.chatOps.handle(world.click(OPS, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(textOf(reply)).isEqualTo("You are not among the approvers of gate 'production'; nothing was decided");
            assertThat(world.gates.find(key).orElseThrow().decisions()).isEmpty();
        }

        @Test
        void refusesAnApproversClickOnAnotherMessageWhoseButtonNamesThisCard() {
            ChatReply reply = world.chatOps.handle(world.clickOn(card.channelId(), "1795428999.000001", APPROVER_1, ApprovalCards.GATE_APPROVE,
                    card.id()));

            assertThat(textOf(reply)).isEqualTo("This button does not belong to the approval it names; nothing was decided");
            assertThat(reply.replaceOriginal()).isFalse();
            assertThat(world.gates.find(key).orElseThrow().decisions()).isEmpty();
        }

        @Test
        void aClickOnADecidedGateRedrawsTheCardAndChangesNothing() {
            world.waitingAtProd("1.4.1", D141);

            ChatReply reply = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(reply.replaceOriginal()).isTrue();
            assertThat(textOf(reply)).contains("*Gate decided*: SUPERSEDED");
            assertThat(world.gates.find(key).orElseThrow().decisions()).isEmpty();
        }

        @Test
        void refusesAClickAfterTheCardExpired() {
            world.clock.advance(Duration.ofHours(4));

            ChatReply reply = world.chatOps.handle(world.click(APPROVER_1, ApprovalCards.GATE_APPROVE, card.id()));

            assertThat(textOf(reply)).startsWith("This approval expired at 2026-11-23T14:00:00Z");
            assertThat(world.gates.find(key).orElseThrow().decisions()).isEmpty();
        }
    }

    private static ChatMessage.Actions actions(ChatMessage message) {
        return message.blocks().stream().filter(ChatMessage.Actions.class::isInstance).map(ChatMessage.Actions.class::cast).findFirst()
                .orElseThrow();
    }

    /** The AWS sample expired in 2016; the same approval, expiring three days into the test's week. */
    private PipelineApprovalNotice inTheTestsWeek(PipelineApprovalNotice sample) {
        return new PipelineApprovalNotice(sample.region(), sample.consoleLink(), sample.pipeline(), sample.stage(), sample.action(),
                sample.token(), world.clock.instant().plus(Duration.ofDays(3)), sample.externalEntityLink(), sample.approvalReviewLink(),
                sample.customData());
    }
}
