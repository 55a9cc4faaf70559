package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_1;
import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_2;
import static dev.gantry.core.chatops.ChatOpsWorld.OPS;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static dev.gantry.core.chatops.ChatOpsWorld.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.RecordingPipelineApprovals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Approval cards whose approval ended without a click on them lose their buttons, redrawn in place, saying how it ended. */
class EndedApprovalsTest {

    private static final ImageDigest D140 = digest("a1");
    private static final ImageDigest D141 = digest("b2");

    private final ChatOpsWorld world = new ChatOpsWorld();

    @Nested
    class GateApprovalCards {

        private final ReleaseKey key = new ReleaseKey("payments-api", "prod", D140);
        private final GateRecord waiting = world.waitingAtProd("1.4.0", D140);

        @Test
        void aSupersededReleasesCardIsRedrawnWithoutButtons() {
            // given
            PendingApproval card = world.approvalRequests.requestGateApproval(waiting, List.of());
            world.waitingAtProd("1.4.1", D141);

            // when
            var redrawn = world.endedApprovals.gateDecided(key);

            // then
            assertThat(redrawn).map(PendingApproval::id).contains(card.id());
            assertThat(world.chat.updates).singleElement().satisfies(update -> {
                assertThat(update.channelId()).isEqualTo(card.channelId());
                assertThat(update.ts()).isEqualTo(card.messageTs());
                assertThat(textOf(update.message())).contains("*Gate decided*: SUPERSEDED").doesNotContain("[Approve]", "[Reject]");
                assertThat(update.message().blocks()).noneMatch(ChatMessage.Actions.class::isInstance);
            });
        }

        @Test
        void aCardWhoseGatePassedShowsWhoApproved() {
            PendingApproval card = world.approvalRequests.requestGateApproval(waiting, List.of());
            world.gates.decide(key, new Approval(APPROVER_1, world.clock.instant(), D140, Approval.Decision.APPROVE, null));
            world.gates.decide(key, new Approval(APPROVER_2, world.clock.instant(), D140, Approval.Decision.APPROVE, null));

            world.endedApprovals.gateDecided(key);

            assertThat(world.gates.find(key).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
            assertThat(world.chat.updates).singleElement().satisfies(update -> {
                assertThat(update.ts()).isEqualTo(card.messageTs());
                assertThat(textOf(update.message())).contains("*Gate decided*: PASSED").contains("approved by <@" + APPROVER_1 + ">")
                        .doesNotContain("[Approve]");
            });
        }

        @Test
        void aRepeatedEventRedrawsTheSameCardAndPostsNothing() {
            world.approvalRequests.requestGateApproval(waiting, List.of());
            world.waitingAtProd("1.4.1", D141);
            int posts = world.chat.posts.size();

            world.endedApprovals.gateDecided(key);
            world.endedApprovals.gateDecided(key);

            assertThat(world.chat.updates).hasSize(2);
            assertThat(world.chat.updates.get(1)).isEqualTo(world.chat.updates.get(0));
            assertThat(world.chat.posts).hasSize(posts);
        }

        @Test
        void aGateStillWaitingKeepsItsButtons() {
            world.approvalRequests.requestGateApproval(waiting, List.of());

            assertThat(world.endedApprovals.gateDecided(key)).isEmpty();
            assertThat(world.chat.updates).isEmpty();
        }

        @Test
        void aCardNeverPostedHasNothingToRedraw() {
            // given: the card was asked for, and its delivery died before posting it
            world.pending.create(PendingApproval.forGate(ApprovalRequests.gateApprovalId(waiting),
                    new PendingApproval.GateTarget(key, "production", "1.4.0", List.of(), List.of()), world.clock.instant(),
                    world.clock.instant().plus(Duration.ofHours(4))));
            world.waitingAtProd("1.4.1", D141);

            assertThat(world.endedApprovals.gateDecided(key)).isEmpty();
            assertThat(world.endedApprovals.gateDecided(new ReleaseKey("payments-api", "prod", digest("c3")))).isEmpty();
            assertThat(world.chat.updates).isEmpty();
        }

        @Test
        void aRedrawSlackRefusesFailsNothing() {
            world.approvalRequests.requestGateApproval(waiting, List.of());
            world.waitingAtProd("1.4.1", D141);
            world.chat.failUpdatesWith(new ChatGateway.UnavailableException("Slack answered 503", null));

            assertThat(world.endedApprovals.gateDecided(key)).isEmpty();
        }
    }

    @Nested
    class PipelineApprovalCards {

        private final PipelineApprovalNotice notice = inTheTestsWeek(
                PipelineApprovalNotice.parse(Fixtures.eventText("codepipeline-manual-approval-sns-message.json")));

        @Test
        void anApprovalDecidedInTheConsoleIsRedrawnWithoutButtons() {
            // given
            world.pipelines.givenWaiting(notice.token());
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, null);

            // when
            var redrawn = world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED, Duration.ofMinutes(30)));

            // then
            assertThat(redrawn).map(PendingApproval::id).contains(card.id());
            assertThat(world.chat.updates).singleElement().satisfies(update -> {
                assertThat(update.channelId()).isEqualTo(card.channelId());
                assertThat(update.ts()).isEqualTo(card.messageTs());
                assertThat(textOf(update.message())).contains("Approval closed: MyFirstPipeline")
                        .contains("MyFirstPipeline/MyApprovalStage/MyApprovalAction: approved in CodePipeline, outside Slack")
                        .doesNotContain("[Approve]", "[Reject]");
            });
        }

        @Test
        void saysWhetherItWasRejectedOrExpiredOrAbandoned() {
            world.pipelines.givenWaiting(notice.token());
            world.approvalRequests.requestPipelineApproval(notice, null);

            world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.FAILED, Duration.ofDays(3)));
            world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.ABANDONED, Duration.ofDays(3)));

            assertThat(world.chat.updates).extracting(update -> textOf(update.message()))
                    .satisfiesExactly(
                            failed -> assertThat(failed).contains("rejected in CodePipeline outside Slack, or expired"),
                            abandoned -> assertThat(abandoned).contains("abandoned: the pipeline run stopped or was superseded"));
        }

        @Test
        void anApprovalDecidedInSlackKeepsTheCardItsClickDrew() {
            world.pipelines.givenWaiting(notice.token());
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, null);
            world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            var redrawn = world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED, Duration.ofMinutes(1)));

            assertThat(redrawn).isEmpty();
            assertThat(world.chat.updates).isEmpty();
        }

        @Test
        void theCardOfALaterRunIsLeftAlone() {
            // given: the approval ended before the card of this run was asked for (an event delivered late)
            world.pipelines.givenWaiting(notice.token());
            world.approvalRequests.requestPipelineApproval(notice, null);

            var redrawn = world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED, Duration.ofSeconds(-5)));

            assertThat(redrawn).isEmpty();
            assertThat(world.chat.updates).isEmpty();
        }

        @Test
        void aCardNeverPostedHasNothingToRedraw() {
            world.pending.create(PendingApproval.forPipeline(ApprovalRequests.pipelineApprovalId(notice),
                    new PendingApproval.PipelineTarget(notice.region(), notice.pipeline(), notice.stage(), notice.action(), notice.token(),
                            null, null, null), world.clock.instant(), notice.expires()));

            var redrawn = world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED, Duration.ofMinutes(1)));

            assertThat(redrawn).isEmpty();
            assertThat(world.chat.updates).isEmpty();
        }

        @Test
        void aCardWhoseMessageIsGoneIsLoggedAndASlackOutageIsLeftToTheEventsRedelivery() {
            world.pipelines.givenWaiting(notice.token());
            world.approvalRequests.requestPipelineApproval(notice, null);

            world.chat.failUpdatesWith(new ChatGateway.RejectedException("message_not_found", "chat.update: message_not_found"));
            var gone = world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED, Duration.ofMinutes(1)));
            world.chat.failUpdatesWith(new ChatGateway.UnavailableException("Slack answered 503", null));

            assertThat(gone).isEmpty();
            assertThatThrownBy(() -> world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.SUCCEEDED,
                    Duration.ofMinutes(1)))).isInstanceOf(ChatGateway.UnavailableException.class);
        }

        @Test
        void aClickOnACardTakenForEndedAsksCodePipelineAndShowsTheClosedCardWhenItSaysDecided() {
            // given: rejected in the console
            world.pipelines.givenWaiting(notice.token());
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, null);
            world.pipelines.decidedElsewhere(notice.token());
            world.endedApprovals.pipelineApprovalEnded(ended(PipelineApprovalEnded.State.FAILED, Duration.ofMinutes(30)));

            // when
            ChatReply clicked = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, card.id()));

            // then
            PendingApproval stored = world.pending.find(card.id()).orElseThrow();
            assertThat(world.pipelines.calls()).isEqualTo(1);
            assertThat(world.pipelines.results()).isEmpty();
            assertThat(stored.state()).isEqualTo(PendingApproval.State.ENDED);
            assertThat(stored.outcome()).isEqualTo(PipelineApprovalEnded.State.FAILED.outcome());
            assertThat(stored.decision()).isNull();
            assertThat(textOf(clicked)).contains("Approval closed").contains("rejected in CodePipeline outside Slack, or expired")
                    .doesNotContain("[Approve]");
            assertThat(world.audit.entries()).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.REFUSED);
        }

        @Test
        void inParallelModeAnEndThatCannotBeToldApartClosesNoCardAndAClickOnEachIsSettledByCodePipeline() {
            // given: two runs wait at the approval together; the older one is approved in the console
            Instant run1Asked = world.clock.instant();
            world.pipelines.givenWaiting(notice.token());
            PendingApproval run1 = world.approvalRequests.requestPipelineApproval(notice, run1Asked, null);
            PipelineApprovalNotice run2Notice = run(notice, "token-run-2");
            world.pipelines.givenWaiting(run2Notice.token());
            PendingApproval run2 = world.approvalRequests.requestPipelineApproval(run2Notice, run1Asked.plusSeconds(60), null);
            world.pipelines.decidedElsewhere(notice.token());
            Optional<PendingApproval> redrawn = world.endedApprovals.pipelineApprovalEnded(
                    endedAt(PipelineApprovalEnded.State.SUCCEEDED, run1Asked.plusSeconds(120)));

            // then: the end names no token and both runs waited, so neither card is closed on a guess
            assertThat(redrawn).isEmpty();
            assertThat(world.pending.find(run2.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);
            assertThat(world.pending.find(run1.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.PENDING);

            // when: someone clicks Approve on each card
            ChatReply onRun2 = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, run2.id()));
            ChatReply onRun1 = world.chatOps.handle(world.click(OPS, ApprovalCards.PIPELINE_APPROVE, run1.id()));

            // then: CodePipeline took run 2's decision with run 2's own token, and said run 1 was decided
            assertThat(world.pipelines.results()).extracting(RecordingPipelineApprovals.Result::token, RecordingPipelineApprovals.Result::approved)
                    .containsExactly(tuple("token-run-2", true));
            assertThat(world.pending.find(run2.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
            assertThat(textOf(onRun2)).contains("*Approved* by").contains("approved in CodePipeline");
            assertThat(world.pending.find(run1.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
            assertThat(textOf(onRun1)).contains("already decided outside Slack").doesNotContain("[Approve]");
        }

        @Test
        void inParallelModeACardAskedForBeforeAnEndThatCannotBeToldApartIsPostedWithItsButtons() {
            // given: runs 1 and 2 wait together, so an end at the action closes neither; run 3's notification, asked
            // before that end, is handled after it
            Instant run1Asked = world.clock.instant();
            world.approvalRequests.requestPipelineApproval(notice, run1Asked, null);
            world.approvalRequests.requestPipelineApproval(run(notice, "token-run-2"), run1Asked.plusSeconds(30), null);
            world.endedApprovals.pipelineApprovalEnded(endedAt(PipelineApprovalEnded.State.SUCCEEDED, run1Asked.plusSeconds(120)));

            // when
            PendingApproval run3 = world.approvalRequests.requestPipelineApproval(run(notice, "token-run-3"), run1Asked.plusSeconds(60), null);

            // then: the end may be any of the three runs', so run 3's card keeps its buttons
            assertThat(run3.state()).isEqualTo(PendingApproval.State.PENDING);
            assertThat(textOf(world.chat.posts.getLast())).contains("[Approve]");
        }

        @Test
        void anEndInTheSecondItsApprovalWasAskedForEndsIt() {
            // given: the SNS notification's Timestamp has milliseconds, EventBridge's time whole seconds
            Instant asked = Instant.parse("2026-03-09T10:15:30.412Z");
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, asked, null);

            // when
            Optional<PendingApproval> redrawn = world.endedApprovals.pipelineApprovalEnded(
                    endedAt(PipelineApprovalEnded.State.SUCCEEDED, Instant.parse("2026-03-09T10:15:30Z")));

            // then
            assertThat(redrawn).map(PendingApproval::id).contains(card.id());
            assertThat(world.pending.find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.ENDED);
        }

        @Test
        void aCardAskedForInTheSecondOfAnEndHandledFirstIsPostedClosed() {
            // given
            world.endedApprovals.pipelineApprovalEnded(endedAt(PipelineApprovalEnded.State.SUCCEEDED, Instant.parse("2026-03-09T10:15:30Z")));

            // when
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, Instant.parse("2026-03-09T10:15:30.412Z"), null);

            // then
            assertThat(card.state()).isEqualTo(PendingApproval.State.ENDED);
            assertThat(textOf(world.chat.posts.getLast())).contains("Approval closed").doesNotContain("[Approve]");
        }

        @Test
        void aRunApprovedInTheConsoleBeforeGantryGotToItsNotificationGetsAClosedCardAndTheEarlierRunsCardIsLeftAlone() {
            // given: run 1's card, closed from the console
            Instant run1Asked = world.clock.instant();
            world.pipelines.givenWaiting(notice.token());
            PendingApproval run1 = world.approvalRequests.requestPipelineApproval(notice, run1Asked, null);
            world.endedApprovals.pipelineApprovalEnded(endedAt(PipelineApprovalEnded.State.FAILED, run1Asked.plus(Duration.ofHours(1))));
            // run 2 asks, and is approved in the console while its notification waits in the queue behind Slack's rate limit
            PipelineApprovalNotice run2Notice = run(notice, "token-run-2");
            Instant run2Asked = run1Asked.plus(Duration.ofHours(2));
            PipelineApprovalEnded run2Approved = endedAt(PipelineApprovalEnded.State.SUCCEEDED, run2Asked.plus(Duration.ofMinutes(3)));
            world.clock.advance(Duration.ofHours(2).plusMinutes(10));

            // when: the end is handled first, then the notification
            Optional<PendingApproval> redrawn = world.endedApprovals.pipelineApprovalEnded(run2Approved);
            PendingApproval run2 = world.approvalRequests.requestPipelineApproval(run2Notice, run2Asked, null);

            // then: run 1's card was redrawn once, by its own end; run 2's card was posted closed
            assertThat(redrawn).isEmpty();
            assertThat(world.chat.updates).singleElement().satisfies(update -> assertThat(update.ts()).isEqualTo(run1.messageTs()));
            assertThat(textOf(world.chat.posts.getLast())).contains("Approval closed")
                    .contains("approved in CodePipeline, outside Slack").doesNotContain("[Approve]", "[Reject]");
            assertThat(world.chat.posts.getLast().blocks()).noneMatch(ChatMessage.Actions.class::isInstance);
            assertThat(run2.state()).isEqualTo(PendingApproval.State.ENDED);
            assertThat(world.pending.find(run2.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.ENDED);
            assertThat(world.pending.find(run1.id()).orElseThrow().outcome()).isEqualTo(PipelineApprovalEnded.State.FAILED.outcome());
        }

        @Test
        void anEndDeliveredAgainAfterItsRunsCardWasPostedRedrawsThatCard() {
            // given: run 1 ended; run 2 ended before its card was posted closed
            Instant run1Asked = world.clock.instant();
            world.approvalRequests.requestPipelineApproval(notice, run1Asked, null);
            world.endedApprovals.pipelineApprovalEnded(endedAt(PipelineApprovalEnded.State.SUCCEEDED, run1Asked.plus(Duration.ofHours(1))));
            Instant run2Asked = run1Asked.plus(Duration.ofHours(2));
            PipelineApprovalEnded run2Abandoned = endedAt(PipelineApprovalEnded.State.ABANDONED, run2Asked.plus(Duration.ofMinutes(1)));
            world.endedApprovals.pipelineApprovalEnded(run2Abandoned);
            PendingApproval run2 = world.approvalRequests.requestPipelineApproval(run(notice, "token-run-2"), run2Asked, null);

            // when
            Optional<PendingApproval> redrawn = world.endedApprovals.pipelineApprovalEnded(run2Abandoned);

            // then
            assertThat(redrawn).map(PendingApproval::id).contains(run2.id());
            assertThat(world.chat.updates.getLast().ts()).isEqualTo(run2.messageTs());
            assertThat(textOf(world.chat.updates.getLast().message())).contains("abandoned").doesNotContain("[Approve]");
        }

        @Test
        void endsDeliveredOutOfOrderLeaveEachCardClosedWithItsOwnOutcome() {
            // given: run 1 was rejected, run 2 approved, both in the console; run 2's end and notification come first
            Instant run1Asked = world.clock.instant();
            PendingApproval run1 = world.approvalRequests.requestPipelineApproval(notice, run1Asked, null);
            PipelineApprovalEnded run1Rejected = endedAt(PipelineApprovalEnded.State.FAILED, run1Asked.plus(Duration.ofHours(1)));
            Instant run2Asked = run1Asked.plus(Duration.ofHours(2));
            PipelineApprovalEnded run2Approved = endedAt(PipelineApprovalEnded.State.SUCCEEDED, run2Asked.plus(Duration.ofMinutes(1)));

            // when
            world.endedApprovals.pipelineApprovalEnded(run2Approved);
            PendingApproval run2 = world.approvalRequests.requestPipelineApproval(run(notice, "token-run-2"), run2Asked, null);
            world.endedApprovals.pipelineApprovalEnded(run1Rejected);
            world.endedApprovals.pipelineApprovalEnded(run2Approved);

            // then
            assertThat(world.pending.find(run1.id()).orElseThrow().outcome()).isEqualTo(PipelineApprovalEnded.State.FAILED.outcome());
            assertThat(world.pending.find(run2.id()).orElseThrow().outcome()).isEqualTo(PipelineApprovalEnded.State.SUCCEEDED.outcome());
            assertThat(lastDrawing(run1)).contains("rejected in CodePipeline outside Slack, or expired").doesNotContain("[Approve]");
            assertThat(lastDrawing(run2)).contains("approved in CodePipeline, outside Slack").doesNotContain("[Approve]");
        }

        @Test
        void aCardWhoseApprovalEndedBeforeItsDelayedPosterPostedItIsPostedClosed() {
            // given: the approval was stored and its delivery died before posting; then it was approved in the console
            Instant asked = world.clock.instant();
            world.pending.create(PendingApproval.forPipeline(ApprovalRequests.pipelineApprovalId(notice),
                    new PendingApproval.PipelineTarget(notice.region(), notice.pipeline(), notice.stage(), notice.action(), notice.token(),
                            null, null, null), asked, notice.expires()));
            world.endedApprovals.pipelineApprovalEnded(endedAt(PipelineApprovalEnded.State.SUCCEEDED, asked.plus(Duration.ofMinutes(1))));
            world.clock.advance(ApprovalRequests.POSTER_GRACE.plusMinutes(1));

            // when: the notification is delivered again
            PendingApproval card = world.approvalRequests.requestPipelineApproval(notice, asked, null);

            // then
            assertThat(card.state()).isEqualTo(PendingApproval.State.ENDED);
            assertThat(textOf(world.chat.posts.getLast())).contains("approved in CodePipeline, outside Slack").doesNotContain("[Approve]");
        }

        /** What the card's message shows now: its last redraw, or the post. */
        private String lastDrawing(PendingApproval card) {
            PendingApproval stored = world.pending.find(card.id()).orElseThrow();
            return world.chat.updates.stream().filter(u -> u.ts().equals(stored.messageTs())).reduce((a, b) -> b)
                    .map(u -> textOf(u.message()))
                    .orElseGet(() -> textOf(world.chat.posts.get(world.chat.posts.size() - 1)));
        }

        private PipelineApprovalEnded endedAt(PipelineApprovalEnded.State state, Instant at) {
            return new PipelineApprovalEnded(notice.region(), notice.pipeline(), notice.stage(), notice.action(),
                    "12345678-1234-5678-abcd-12345678abcd", state, at);
        }

        /** The same approval action, asked again by a later run: a token of its own. */
        private PipelineApprovalNotice run(PipelineApprovalNotice first, String token) {
            return new PipelineApprovalNotice(first.region(), first.consoleLink(), first.pipeline(), first.stage(), first.action(), token,
                    first.expires(), first.externalEntityLink(), first.approvalReviewLink(), first.customData());
        }

        private PipelineApprovalEnded ended(PipelineApprovalEnded.State state, Duration afterTheCard) {
            Instant at = world.clock.instant().plus(afterTheCard);
            return new PipelineApprovalEnded(notice.region(), notice.pipeline(), notice.stage(), notice.action(),
                    "12345678-1234-5678-abcd-12345678abcd", state, at);
        }

        /** The AWS sample expired in 2016; the same approval, expiring three days into the test's week. */
        private PipelineApprovalNotice inTheTestsWeek(PipelineApprovalNotice sample) {
            return new PipelineApprovalNotice(sample.region(), sample.consoleLink(), sample.pipeline(), sample.stage(), sample.action(),
                    sample.token(), world.clock.instant().plus(Duration.ofDays(4)), sample.externalEntityLink(), sample.approvalReviewLink(),
                    sample.customData());
        }
    }
}
