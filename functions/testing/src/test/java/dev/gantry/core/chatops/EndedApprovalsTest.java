package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_1;
import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_2;
import static dev.gantry.core.chatops.ChatOpsWorld.OPS;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static dev.gantry.core.chatops.ChatOpsWorld.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
