package dev.gantry.core.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingChatGateway;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Copies of one CodePipeline approval notification arriving while the first is still posting its card: the card is
 * posted once, by the delivery that stored the approval, unless that delivery died before posting it.
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

    /** The first delivery stored the approval; its card is not in Slack yet (its post failed here, and is under way there). */
    private void givenAnotherDeliveryStoredTheApprovalAndIsPostingItsCard() {
        chat.failNext(new ChatGateway.UnavailableException("Slack answered 503", null));
        assertThatThrownBy(() -> requests(pause -> { }).requestPipelineApproval(notice, null)).isInstanceOf(ChatGateway.UnavailableException.class);
        assertThat(pending.find(ApprovalRequests.pipelineApprovalId(notice)).orElseThrow().channelId()).isNull();
    }

    private ApprovalRequests requests(ApprovalRequests.Pause pause) {
        return new ApprovalRequests(CONFIG, pending, chat, new ChatPermissions(CONFIG, ApproverGroups.none()), clock, pause);
    }
}
