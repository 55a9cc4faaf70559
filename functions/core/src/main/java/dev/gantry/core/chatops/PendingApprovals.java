package dev.gantry.core.chatops;

import dev.gantry.core.notify.PostingMarker;
import java.time.Instant;
import java.util.Optional;

/**
 * Approvals Gantry asked for in Slack, by the opaque id on their cards' buttons: the only place a click's real target
 * is read from.
 *
 * <p>Contract, every change a conditional write (DynamoDB: {@code pk = APPROVAL#<id>}, TTL 30 days after
 * {@code expiresAt}). A pipeline approval's decision is recorded here <em>before</em> CodePipeline is told, so exactly
 * one decision is sent however many people click at once:
 * <ol>
 *   <li>{@link #startDeciding}: PENDING -> DECIDING with the decision (condition {@code #state = PENDING}). One click
 *       wins; the others read the winner.</li>
 *   <li>{@link PipelineApprovals#putApprovalResult} with the recorded decision.</li>
 *   <li>{@link #finishDeciding}: DECIDING -> DECIDED with the outcome (condition {@code #state = DECIDING}).</li>
 * </ol>
 * A crash or a failed call between 1 and 3 leaves DECIDING; the next click on the card, whoever's, or the redelivery of
 * the click whose call failed, sends the <em>recorded</em> decision again (CodePipeline answering "already decided" then
 * means the first call got through) and finishes it.
 * Gate approvals never leave PENDING here: N people each decide, and their decisions live on the gate record.
 *
 * <p>Implementations translate their own failures into {@link PendingApprovalsException}.
 */
public interface PendingApprovals {

    /**
     * Stores a new pending approval (condition {@code attribute_not_exists(pk)}).
     *
     * @return false when one with its id exists already; it is left as it was
     */
    boolean create(PendingApproval approval);

    /** A consistent read. */
    Optional<PendingApproval> find(String id);

    /** Records where its card was posted, replacing an earlier place (condition: it exists). */
    void cardPosted(String id, String channelId, String messageTs);

    /**
     * Records that a delivery sets out to post the card, in place of the delivery that set out before it and did not
     * record a card (condition: it exists, no card is recorded, and its posting marker is {@code seen}'s, or it has none
     * when {@code seen} is null).
     *
     * @return false when the condition failed: another delivery took over, or the card was recorded
     */
    boolean startPostingCard(String id, PostingMarker seen, PostingMarker marker);

    /**
     * PENDING -> DECIDING, recording {@code decision}.
     *
     * @return false when it is not PENDING (someone decided first) or does not exist
     */
    boolean startDeciding(String id, PendingApproval.Decision decision);

    /**
     * DECIDING -> DECIDED, recording {@code outcome}.
     *
     * @return false when it is not DECIDING (a resumed click finished it first)
     */
    boolean finishDeciding(String id, String outcome, Instant at);

    /**
     * The CodePipeline approval asked for last at {@code pipeline/stage/action} in {@code region}, asked for strictly
     * before {@code before}: CodePipeline's event saying an approval action ended names the action and its run, not the
     * approval's token, and the card of a later run of the action (asked for after this one ended) must not be taken for
     * it. DynamoDB: each pipeline approval is also listed under its action when created, and this is one Query.
     *
     * @param region the pipeline's region; null matches approvals whose notification named none
     * @return empty when no approval of that action was asked for before {@code before}
     */
    Optional<PendingApproval> lastPipelineApprovalBefore(String region, String pipeline, String stage, String action, Instant before);

    class PendingApprovalsException extends RuntimeException {
        public PendingApprovalsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
