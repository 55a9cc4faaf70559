package dev.gantry.core.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingChatGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Copies of one CodePipeline approval notification arriving while the first is still posting its card: the card is
 * posted once, by the delivery that stored the approval, unless that delivery died before posting it; and once when the
 * place of a posted card was never recorded.
 */
class ApprovalRequestsTest {

    private static final GantryConfig CONFIG = Fixtures.exampleConfig();

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryPendingApprovals pending = new InMemoryPendingApprovals();
    private final RecordingChatGateway chat = new RecordingChatGateway();
    private final PipelineApprovalNotice notice = PipelineApprovalNotice.parse(
            Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z"));

    @Test
    void waitsForTheCardTheDeliveryThatStoredTheApprovalPostsRatherThanPostingASecond() {
        givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard();
        PendingApproval[] postedMeanwhile = new PendingApproval[1];
        ApprovalRequests second = requests(pause -> {
            if (postedMeanwhile[0] == null) {
                // The first delivery's post lands while this one waits.
                ChatGateway.Posted posted = chat.post("#releases", new ChatMessage("card", List.of()), null);
                pending.cardPosted(ApprovalRequests.pipelineApprovalId(notice), posted.channelId(), posted.ts());
                postedMeanwhile[0] = pending.find(ApprovalRequests.pipelineApprovalId(notice)).orElseThrow();
            }
        });

        PendingApproval answered = second.requestPipelineApproval(notice, null);

        assertThat(chat.headlinePosts()).as("the first delivery's card only").hasSize(1);
        assertThat(answered.messageTs()).isEqualTo(postedMeanwhile[0].messageTs());
    }

    @Test
    void failsForARetryLaterWhileTheDeliveryThatStoredTheApprovalMayStillPostItsCard() {
        givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard();
        ApprovalRequests second = requests(pause -> clock.advance(Duration.ofMillis(100)));

        assertThatThrownBy(() -> second.requestPipelineApproval(notice, null)).isInstanceOf(ApprovalRequests.CardPendingException.class);
        assertThat(chat.headlinePosts()).isEmpty();
    }

    @Test
    void postsTheCardOfAnApprovalWhoseDeliveryDiedBeforePostingIt() {
        givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard();
        clock.advance(ApprovalRequests.POSTER_GRACE);

        PendingApproval answered = requests(pause -> { throw new AssertionError("nothing to wait for"); }).requestPipelineApproval(notice, null);

        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(answered.channelId()).isNotNull();
        assertThat(pending.find(answered.id()).orElseThrow().messageTs()).isEqualTo(answered.messageTs());
    }

    @Test
    void leavesTheDeliveryThatTookThePostingOverItsOwnGrace() {
        // given: the delivery that stored the approval died; after its grace a second one took the posting over, and its
        // post is under way
        givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard();
        clock.advance(ApprovalRequests.POSTER_GRACE);
        PendingApproval stored = pending.find(ApprovalRequests.pipelineApprovalId(notice)).orElseThrow();
        assertThat(pending.startPostingCard(stored.id(), stored.postingMarker(), new PostingMarker("second-delivery", clock.instant())))
                .isTrue();

        // when: a third copy arrives at once
        ApprovalRequests third = requests(pause -> clock.advance(Duration.ofMillis(100)));

        // then: it waits for the second one's card rather than post its own
        assertThatThrownBy(() -> third.requestPipelineApproval(notice, null)).isInstanceOf(ApprovalRequests.CardPendingException.class);
        assertThat(chat.headlinePosts()).isEmpty();
    }

    @Test
    void postsOneCardWhenTheStoreFailsAfterSlackTookThePost() {
        // given: Slack took the card, then recording where failed; the notification comes again after the visibility timeout
        FailingOnceAfterThePost store = new FailingOnceAfterThePost(pending);
        assertThatThrownBy(() -> requests(store, pause -> { }).requestPipelineApproval(notice, null))
                .isInstanceOf(PendingApprovals.PendingApprovalsException.class);
        clock.advance(Duration.ofMinutes(6));

        // when
        PendingApproval answered = requests(store, pause -> { throw new AssertionError("nothing to wait for"); })
                .requestPipelineApproval(notice, null);

        // then: the first card is the card, and clicks on it count
        assertThat(chat.headlinePosts()).singleElement().satisfies(card -> {
            assertThat(answered.messageTs()).isEqualTo(card.ts());
            assertThat(pending.find(answered.id()).orElseThrow().messageTs()).isEqualTo(card.ts());
            assertThat(card.thread().id()).isEqualTo(answered.id());
        });
        assertThat(chat.lookups()).singleElement().satisfies(lookup -> assertThat(lookup.found()).isNotNull());
    }

    @Test
    void postsOneCardWhenSlacksAnswerToThePostIsLost() {
        chat.loseAnswerOfNext(new ChatGateway.UnavailableException("Slack timed out", null));
        assertThatThrownBy(() -> requests(pause -> { }).requestPipelineApproval(notice, null)).isInstanceOf(ChatGateway.UnavailableException.class);
        clock.advance(Duration.ofMinutes(6));

        PendingApproval answered = requests(pause -> { throw new AssertionError("nothing to wait for"); }).requestPipelineApproval(notice, null);

        assertThat(chat.headlinePosts()).singleElement().satisfies(card -> assertThat(answered.messageTs()).isEqualTo(card.ts()));
        assertThat(pending.find(answered.id()).orElseThrow().channelId()).isEqualTo(answered.channelId());
    }

    @Test
    void postsNothingWhileACardWhosePostMayHaveGoneThroughCannotBeLookedFor() {
        FailingOnceAfterThePost store = new FailingOnceAfterThePost(pending);
        assertThatThrownBy(() -> requests(store, pause -> { }).requestPipelineApproval(notice, null))
                .isInstanceOf(PendingApprovals.PendingApprovalsException.class);
        clock.advance(Duration.ofMinutes(6));
        chat.refuseLookups("not_in_channel");

        assertThatThrownBy(() -> requests(store, pause -> { }).requestPipelineApproval(notice, null))
                .isInstanceOf(ChatGateway.RejectedException.class);
        assertThat(chat.headlinePosts()).hasSize(1);
    }

    /** The first delivery stored the approval; its card is not in Slack yet (its post failed here, and is under way there). */
    private void givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard() {
        chat.failNext(new ChatGateway.UnavailableException("Slack answered 503", null));
        assertThatThrownBy(() -> requests(pause -> { }).requestPipelineApproval(notice, null)).isInstanceOf(ChatGateway.UnavailableException.class);
        assertThat(pending.find(ApprovalRequests.pipelineApprovalId(notice)).orElseThrow().channelId()).isNull();
    }

    private ApprovalRequests requests(ApprovalRequests.Pause pause) {
        return requests(pending, pause);
    }

    private ApprovalRequests requests(PendingApprovals store, ApprovalRequests.Pause pause) {
        return new ApprovalRequests(CONFIG, store, chat, new ChatPermissions(CONFIG, ApproverGroups.none()), clock, pause);
    }

    /** The pending approvals, whose first recording of a card's place fails as a throttled or unreachable table does. */
    private static final class FailingOnceAfterThePost implements PendingApprovals {
        private final PendingApprovals stored;
        private boolean failed;

        FailingOnceAfterThePost(PendingApprovals stored) {
            this.stored = stored;
        }

        @Override
        public boolean create(PendingApproval approval) {
            return stored.create(approval);
        }

        @Override
        public Optional<PendingApproval> find(String id) {
            return stored.find(id);
        }

        @Override
        public void cardPosted(String id, String channelId, String messageTs) {
            if (!failed) {
                failed = true;
                throw new PendingApprovalsException("recording the card of pending approval " + id + " failed: throttled", null);
            }
            stored.cardPosted(id, channelId, messageTs);
        }

        @Override
        public boolean startPostingCard(String id, PostingMarker seen, PostingMarker marker) {
            return stored.startPostingCard(id, seen, marker);
        }

        @Override
        public boolean startDeciding(String id, PendingApproval.Decision decision) {
            return stored.startDeciding(id, decision);
        }

        @Override
        public boolean endDeciding(String id, String outcome) {
            return stored.endDeciding(id, outcome);
        }

        @Override
        public boolean finishDeciding(String id, String outcome, Instant at) {
            return stored.finishDeciding(id, outcome, at);
        }

        @Override
        public Optional<PendingApproval> lastPipelineApprovalBefore(String region, String pipeline, String stage, String action,
                Instant before) {
            return stored.lastPipelineApprovalBefore(region, pipeline, stage, action, before);
        }

        @Override
        public void rememberPipelineApprovalEnd(PipelineApprovalEnded ended) {
            stored.rememberPipelineApprovalEnd(ended);
        }

        @Override
        public Optional<PipelineApprovalEnded> firstPipelineApprovalEndAfter(String region, String pipeline, String stage, String action,
                Instant after) {
            return stored.firstPipelineApprovalEndAfter(region, pipeline, stage, action, after);
        }

        @Override
        public boolean endPipelineApproval(String id, String outcome) {
            return stored.endPipelineApproval(id, outcome);
        }
    }
}
