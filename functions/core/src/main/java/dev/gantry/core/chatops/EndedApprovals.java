package dev.gantry.core.chatops;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.NewsTeller;
import dev.gantry.core.release.ReleaseKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the buttons off an approval card once its approval ended without a click on the card: the gate decided (passed,
 * failed, timed out, superseded), or CodePipeline's approval was decided in its console or CLI, expired, or was abandoned
 * with its run. The card is redrawn in place ({@link ChatGateway#update}, at the channel and message recorded on its
 * {@link PendingApproval}) saying the outcome. Nothing is ever posted: an approval whose card was never posted (or whose
 * place was never recorded) has nothing to redraw, and a repeated event redraws the same card again.
 *
 * <p>A click on a card whose approval ended is answered safely anyway ({@link ApprovalDecisions} redraws it too); this is
 * so that nobody sees buttons that look live.
 */
public final class EndedApprovals {

    /** Bounds the queries an end costs; more runs than this waiting at one approval action at once is not expected. */
    static final int EARLIER_RUNS_LOOKED_AT = 10;

    /** CodePipeline fails a manual approval nobody answered within seven days. */
    private static final Duration LONGEST_APPROVAL_WAIT = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(EndedApprovals.class);

    private final GantryConfig config;
    private final PendingApprovals pending;
    private final GateStore gates;
    private final ChatGateway chat;
    private final ChatPermissions permissions;

    public EndedApprovals(GantryConfig config, PendingApprovals pending, GateStore gates, ChatGateway chat, ChatPermissions permissions) {
        this.config = Objects.requireNonNull(config, "config");
        this.pending = Objects.requireNonNull(pending, "pending");
        this.gates = Objects.requireNonNull(gates, "gates");
        this.chat = Objects.requireNonNull(chat, "chat");
        this.permissions = Objects.requireNonNull(permissions, "permissions");
    }

    /**
     * Redraws the card of the release's gate approval once its gate decided, as the record now stands. Never throws: the
     * redraw rides on the news of the gate's answer, which stands and is told whether or not the card could be redrawn, so
     * a failure (the gate record or the approvals unreadable, Slack refusing) is logged under
     * {@link NewsTeller#UNTOLD_LOG_FIELD}.
     *
     * @return the approval whose card was redrawn; empty when the gate has not decided (a new round may be waiting), no
     *     card was asked for this round, it was never posted, or the redraw failed
     */
    public Optional<PendingApproval> gateDecided(ReleaseKey key) {
        try {
            Optional<GateRecord> record = gates.find(key).filter(r -> r.status().decided());
            if (record.isEmpty()) {
                return Optional.empty();
            }
            Optional<PendingApproval> card = pending.find(ApprovalRequests.gateApprovalId(record.get())).filter(EndedApprovals::posted);
            if (card.isEmpty()) {
                return Optional.empty();
            }
            GateConfig.Approvals approvals = config.gate(record.get().gate()).map(GateConfig::approvals).orElse(null);
            chat.update(card.get().channelId(), card.get().messageTs(), ApprovalCards.gateCard(card.get(), approvals, record.get(), permissions));
            return card;
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue(NewsTeller.UNTOLD_LOG_FIELD, "approval card of " + key.id()).setCause(e)
                    .log("the approval card of {} still shows its buttons, though its gate decided: {}", key.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Redraws the card of the CodePipeline approval that {@code ended}, and records it ENDED, unless a click on it decided
     * it (its card says so already). The end is remembered under its action first
     * ({@link PendingApprovals#rememberPipelineApprovalEnd}), since the approval it ended may not be known yet: its
     * notification can still wait in its queue, and {@link ApprovalRequests} then draws its card closed. The approval it
     * ended is the one asked for last at that action before it ({@link PendingApprovals#lastPipelineApprovalBefore}),
     * provided this is the first end after that approval was asked for; a later end belongs to a later run, whose
     * approval is not known yet. An end delivered again, or after a later one that was taken for its approval's, redraws
     * the card with its own outcome.
     *
     * <p>Errors: the store's and the chat service's, as they are, so that the event is delivered again; except
     * {@link ChatGateway.RejectedException} (the card's message or channel is gone, or closed to the app), which no retry
     * changes: it is logged under {@link NewsTeller#UNTOLD_LOG_FIELD}, and the approval answered empty.
     *
     * @return the approval whose card was redrawn; empty when none was asked for (yet), it was decided in Slack, or its
     *     card was never posted
     */
    public Optional<PendingApproval> pipelineApprovalEnded(PipelineApprovalEnded ended) {
        pending.rememberPipelineApprovalEnd(ended);
        Optional<PendingApproval> approval = pending.lastPipelineApprovalBefore(ended.region(), ended.pipeline(), ended.stage(),
                ended.action(), askedBefore(ended.at()));
        if (approval.isEmpty() || !endedBy(approval.get(), ended) || anEarlierRunStillWaits(pending, approval.get(), ended.at())) {
            return Optional.empty();
        }
        if (!pending.endPipelineApproval(approval.get().id(), ended.state().outcome())) {
            return Optional.empty();
        }
        Optional<PendingApproval> card = approval.map(a -> a.ended(ended.state().outcome())).filter(EndedApprovals::posted);
        if (card.isEmpty()) {
            return Optional.empty();
        }
        try {
            chat.update(card.get().channelId(), card.get().messageTs(), ApprovalCards.pipelineClosedCard(card.get(), ended.state().outcome()));
            return card;
        } catch (ChatGateway.RejectedException e) {
            LOG.atError().addKeyValue(NewsTeller.UNTOLD_LOG_FIELD, "approval card of " + ended.path()).setCause(e)
                    .log("the approval card of {} could not be redrawn: {}", ended.path(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Whether an approval of the same action, asked for before {@code approval}, was still waiting at {@code at}. Runs of a
     * pipeline in SUPERSEDED or QUEUED mode wait at an approval action one after another, so an earlier run's approval has
     * ended (or was decided) by the time a later one is asked for. In PARALLEL mode several wait at once, and CodePipeline's
     * end event names no token, so which of them an end closed cannot be told: Gantry then closes no card, each keeps its
     * buttons, and a click is settled by CodePipeline, which knows. Looks back over at most {@value #EARLIER_RUNS_LOOKED_AT}
     * earlier approvals, and none asked for longer ago than CodePipeline lets an approval wait.
     */
    static boolean anEarlierRunStillWaits(PendingApprovals pending, PendingApproval approval, Instant at) {
        PendingApproval.PipelineTarget target = approval.pipeline();
        Instant before = approval.createdAt();
        for (int looked = 0; looked < EARLIER_RUNS_LOOKED_AT; looked++) {
            Optional<PendingApproval> earlier = pending.lastPipelineApprovalBefore(target.region(), target.pipeline(), target.stage(),
                    target.action(), before);
            if (earlier.isEmpty() || earlier.get().createdAt().isBefore(at.minus(LONGEST_APPROVAL_WAIT))) {
                return false;
            }
            if (earlier.get().state() == PendingApproval.State.PENDING && !earlier.get().expiredAt(at)) {
                return true;
            }
            before = earlier.get().createdAt();
        }
        return false;
    }

    /** Whether {@code ended} is the first end of the approval's action after it was asked for, as runs wait there in turn. */
    private boolean endedBy(PendingApproval approval, PipelineApprovalEnded ended) {
        return pending.firstPipelineApprovalEndAfter(ended.region(), ended.pipeline(), ended.stage(), ended.action(),
                endedAfter(approval.createdAt())).filter(first -> first.at().equals(ended.at())).isPresent();
    }

    /**
     * The bound for {@link PendingApprovals#lastPipelineApprovalBefore} of an end at {@code endedAt}. EventBridge's
     * {@code time} has whole seconds, the SNS notification's {@code Timestamp} milliseconds, so the two are compared by
     * the second: an approval asked in the end's second counts as asked before it.
     */
    static Instant askedBefore(Instant endedAt) {
        return endedAt.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    }

    /**
     * The bound for {@link PendingApprovals#firstPipelineApprovalEndAfter} of an approval asked at {@code askedAt}:
     * compared by the second, as in {@link #askedBefore}, so an end in the second it was asked counts as after it.
     */
    static Instant endedAfter(Instant askedAt) {
        return askedAt.truncatedTo(ChronoUnit.SECONDS).minusNanos(1);
    }

    private static boolean posted(PendingApproval approval) {
        return approval.channelId() != null && approval.messageTs() != null;
    }
}
