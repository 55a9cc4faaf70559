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
 *   <li>{@link #startDeciding}: PENDING or ENDED -> DECIDING with the decision (condition {@code #state IN (PENDING,
 *       ENDED)}). One click wins; the others read the winner. ENDED is Gantry's guess, which CodePipeline's answer
 *       settles: a refused decision goes back to ENDED ({@link #endDeciding}).</li>
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
     * PENDING or ENDED -> DECIDING, recording {@code decision}. ENDED is taken too because Gantry only infers it from
     * CodePipeline's events, by time; CodePipeline's answer to the decision says whether the approval was open.
     *
     * @return false when it is neither (someone decided first) or does not exist
     */
    boolean startDeciding(String id, PendingApproval.Decision decision);

    /**
     * DECIDING -> ENDED, recording {@code outcome} and dropping the decision: CodePipeline refused a decision on an
     * approval Gantry had taken for ended, confirming it.
     *
     * @return false when it is not DECIDING (another click finished it first)
     */
    boolean endDeciding(String id, String outcome);

    /**
     * DECIDING -> DECIDED, recording {@code outcome}.
     *
     * @return false when it is not DECIDING (a resumed click finished it first)
     */
    boolean finishDeciding(String id, String outcome, Instant at);

    /**
     * The CodePipeline approval asked for last at {@code pipeline/stage/action} in {@code region}, asked for strictly
     * before {@code before}, by {@link PendingApproval#createdAt()}: when CodePipeline asked, not when Gantry got to its
     * notification. CodePipeline's event saying an approval action ended names the action and its run, not the
     * approval's token; whether this approval is the one that event ended is for {@link #firstPipelineApprovalEndAfter}
     * to say. DynamoDB: each pipeline approval is also listed under its action when created, and this is one Query.
     *
     * @param region the pipeline's region; null matches approvals whose notification named none
     * @return empty when no approval of that action was asked for before {@code before}; an approval in any state
     */
    Optional<PendingApproval> lastPipelineApprovalBefore(String region, String pipeline, String stage, String action, Instant before);

    /**
     * Remembers that an approval action ended, under its action and its time, whether or not its approval is known yet:
     * CodePipeline's notification asking for it may still wait in its queue. Putting the same end again changes nothing.
     * DynamoDB: kept as long as a pipeline approval is.
     */
    void rememberPipelineApprovalEnd(PipelineApprovalEnded ended);

    /**
     * The end remembered first at {@code pipeline/stage/action} in {@code region} strictly after {@code after}. Runs wait
     * at one approval action one after another, so an approval asked for at {@code after} ended at that end, and a later
     * end belongs to a later run. One Query.
     *
     * @return empty while none was remembered after it
     */
    Optional<PipelineApprovalEnded> firstPipelineApprovalEndAfter(String region, String pipeline, String stage, String action, Instant after);

    /**
     * PENDING (or ENDED, whose outcome an end delivered out of order corrects) -> ENDED, recording {@code outcome}: the
     * approval ended outside Slack, and its card says so.
     *
     * @return false when a click is deciding or decided it, or it does not exist
     */
    boolean endPipelineApproval(String id, String outcome);

    class PendingApprovalsException extends RuntimeException {
        public PendingApprovalsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
