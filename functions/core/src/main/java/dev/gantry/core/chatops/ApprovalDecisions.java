package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.SlackText.mention;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.ChatMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approve and Reject clicks on approval cards, in two steps so that a refused click leaves no trace in the request
 * ledger: {@link #check} decides whether the click may count, {@link #decide} carries it out.
 *
 * <p>What is checked here, because nothing downstream does it for a click: the id names a stored approval of the
 * button's kind, whose card is the message clicked; it has not expired; the person may decide it (a gate's approvers,
 * users and group members; for pipelines, {@code slack.permissions.pipelineApprovals}); and nobody approves a release
 * they triggered (a person may reject their own). {@link GateService#decide} records whatever it is given (a decision
 * by someone the gate does not count is kept and silently ignored by the approvals check), and it enforces only that
 * the release is at its gate and the digest is the release's; N of M is the approvals check's, at the evaluation the
 * decision triggers.
 *
 * <p>A gate counts each person's latest decision ({@link dev.gantry.core.gate.ApprovalPolicy}), so a person may click
 * again to change theirs (Reject after Approve) or to renew an approval that expired. A click repeating the decision
 * that stands and still counts, or with which the gate decided, records nothing: {@link Check.Unchanged}. Every check
 * of a gate click carries the person's standing decision ({@link Check#standing()}), so that the caller can make sure
 * that decision has its audit entry even when the click that recorded it stopped before writing one.
 *
 * <p>A pipeline approval is decided once: the decision is recorded ({@link PendingApprovals#startDeciding}) before
 * CodePipeline is told, and told with the recorded decision; see {@link PendingApprovals} for the sequence and how a
 * crash is resumed. A click whose decision CodePipeline could not be told is answered with {@link ChatReply#retryLater}:
 * its redelivery, once the decision is {@link #RESUME_AFTER} old, sends it, so nobody has to click again.
 */
final class ApprovalDecisions {

    /**
     * How old a recorded, untold decision must be before another click sends it: longer than a click takes to be
     * handled, so a click in flight is never raced, and short enough that a crash costs a couple of minutes.
     */
    static final Duration RESUME_AFTER = Duration.ofMinutes(2);

    private static final DateTimeFormatter RESUMABLE_AT = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalDecisions.class);

    private final GantryConfig config;
    private final PendingApprovals pending;
    private final PipelineApprovals pipelines;
    private final GateService gates;
    private final ChatPermissions permissions;
    private final Clock clock;

    ApprovalDecisions(GantryConfig config, PendingApprovals pending, PipelineApprovals pipelines, GateService gates, ChatPermissions permissions,
            Clock clock) {
        this.config = config;
        this.pending = pending;
        this.pipelines = pipelines;
        this.gates = gates;
        this.permissions = permissions;
        this.clock = clock;
    }

    /** Whether a click may count. */
    sealed interface Check {

        /**
         * The clicking person's latest decision on the gate's release, whatever this click comes to: it may be one whose
         * click stopped before its audit entry was written. Null when they have none, and for a pipeline approval.
         */
        default Approval standing() {
            return null;
        }

        /**
         * It may not; nothing changed.
         *
         * @param reply what the person sees: the reason, or the card redrawn with an outcome reached before
         */
        record Refused(String why, ChatReply reply, PendingApproval approval, Approval standing) implements Check {
            Refused(String why, ChatReply reply, PendingApproval approval) {
                this(why, reply, approval, null);
            }
        }

        /**
         * It may: {@code approve} or reject {@code approval}.
         *
         * @param standing the person's decision that stood on the gate when the click was checked; null when they had
         *     none, and for a pipeline approval
         */
        record Allowed(PendingApproval approval, boolean approve, Approval standing) implements Check {}

        /**
         * The person's decision that stands on the gate is this one, and it still counts or the gate decided with it:
         * nothing to record.
         *
         * @param reply "already done", or the decided card redrawn
         */
        record Unchanged(ChatReply reply, PendingApproval approval, Approval standing) implements Check {}

        /**
         * The person's own pipeline decision is recorded and not sent yet, too recently for this click to send it: nothing
         * to record now, and the click is to be delivered again ({@link ChatReply#retryLater}) to send it then.
         */
        record NotYet(ChatReply reply) implements Check {}
    }

    /**
     * What a counted click came to.
     *
     * @param retryable nothing was decided for good (CodePipeline or the gate record could not be reached): the click's
     *     claim is given up, so its redelivery or the person's next click carries it out
     * @param recorded the decision recorded on the gate; null when none was, and for a pipeline approval
     */
    record Decided(AuditEntry.Outcome outcome, String summary, ChatReply reply, boolean retryable, Approval recorded) {
        Decided(AuditEntry.Outcome outcome, String summary, ChatReply reply, boolean retryable) {
            this(outcome, summary, reply, retryable, null);
        }
    }

    Check check(ChatAction action) {
        Instant now = clock.instant();
        PendingApproval.Kind kind;
        boolean approve;
        switch (action.actionId() == null ? "" : action.actionId()) {
            case ApprovalCards.PIPELINE_APPROVE -> { kind = PendingApproval.Kind.PIPELINE; approve = true; }
            case ApprovalCards.PIPELINE_REJECT -> { kind = PendingApproval.Kind.PIPELINE; approve = false; }
            case ApprovalCards.GATE_APPROVE -> { kind = PendingApproval.Kind.GATE; approve = true; }
            case ApprovalCards.GATE_REJECT -> { kind = PendingApproval.Kind.GATE; approve = false; }
            default -> {
                return refused("Gantry has no button '" + action.actionId() + "'", null);
            }
        }
        Optional<PendingApproval> found = action.value() == null || action.value().isBlank() ? Optional.empty() : pending.find(action.value());
        if (found.isEmpty()) {
            return refused("This button names no approval Gantry asked for; nothing was decided", null);
        }
        PendingApproval approval = found.get();
        if (approval.kind() != kind || !onItsCard(approval, action)) {
            return refused("This button does not belong to the approval it names; nothing was decided", approval);
        }
        return kind == PendingApproval.Kind.PIPELINE ? checkPipeline(approval, action.userId(), approve, now)
                : checkGate(approval, action.userId(), approve, now);
    }

    /**
     * Whether the click came from the approval's own card. A button's value is the only link from a click to an approval,
     * and a value naming another card's approval must not decide it, nor redraw that card over the clicked message. Unknown
     * while the card's message is not recorded (a crash between posting it and recording where): then nothing can be told.
     */
    private static boolean onItsCard(PendingApproval approval, ChatAction action) {
        return approval.channelId() == null || approval.messageTs() == null
                || (approval.channelId().equals(action.channelId()) && approval.messageTs().equals(action.messageTs()));
    }

    Decided decide(Check.Allowed allowed, Requester who) {
        return allowed.approval().kind() == PendingApproval.Kind.PIPELINE
                ? decidePipeline(allowed.approval(), allowed.approve(), who)
                : decideGate(allowed.approval(), allowed.approve(), who);
    }

    private Check checkPipeline(PendingApproval approval, String userId, boolean approve, Instant now) {
        // ENDED is not refused here: Gantry pairs an action's end with a run's approval by time, a guess that PARALLEL
        // runs can prove wrong, so the click goes to CodePipeline, whose answer says whether the approval is still open.
        if (approval.state() == PendingApproval.State.DECIDED) {
            return new Check.Refused("already decided by " + approval.decision().userId() + ": " + approval.outcome(),
                    ChatReply.replacingCard(pipelineCard(approval)), approval);
        }
        if (!permissions.mayDecidePipelineApprovals(userId)) {
            return refused("You may not decide CodePipeline approvals from Slack (slack.permissions.pipelineApprovals)", approval);
        }
        if (approval.state() == PendingApproval.State.DECIDING) {
            Instant resumable = approval.decision().at().plus(RESUME_AFTER);
            if (now.isBefore(resumable) && approval.decision().userId().equals(userId)) {
                // The click CodePipeline could not be told, delivered again before its decision may be resumed (a queue
                // whose visibility timeout is shorter than RESUME_AFTER), or its person clicking again: keep it coming.
                return new Check.NotYet(ChatReply.privatelyRetryingLater("Your decision is recorded and CodePipeline is being told; "
                        + "should that fail, Gantry sends it again after " + RESUMABLE_AT.format(resumable) + "."));
            }
            if (now.isBefore(resumable)) {
                // The first click may also have failed to reach CodePipeline: say when a click can send the decision, so
                // nobody takes "being told" for done should the first click's redeliveries run out.
                return new Check.Refused("already being decided by " + approval.decision().userId(),
                        ChatReply.privately("Already decided by " + mention(approval.decision().userId()) + ", who clicked "
                                + (approval.decision().approved() ? "Approve" : "Reject") + "; CodePipeline is being told. Should that fail, "
                                + "a click after " + RESUMABLE_AT.format(resumable) + " sends the decision."), approval);
            }
            return new Check.Allowed(approval, approval.decision().approved(), null);
        }
        if (approval.expiredAt(now)) {
            return refused("This approval expired at " + approval.expiresAt() + "; nothing was decided", approval);
        }
        return new Check.Allowed(approval, approve, null);
    }

    private Check checkGate(PendingApproval approval, String userId, boolean approve, Instant now) {
        PendingApproval.GateTarget target = approval.gate();
        Optional<GateConfig> gate = gates.gateOf(target.key().service(), target.key().environment());
        if (gate.isEmpty() || !gate.get().name().equals(target.gate())) {
            return refused("The gate of " + target.key().service() + "/" + target.key().environment() + " is no longer '" + target.gate()
                    + "'; nothing was decided", approval);
        }
        Optional<GateRecord> record = gates.find(target.key());
        if (record.isEmpty()) {
            return refused("Release " + target.key().id() + " is not at its gate; nothing was decided", approval);
        }
        GateConfig.Approvals approvals = gate.get().approvals();
        Approval standing = standingDecision(record.get(), userId);
        boolean repeatsStanding = standing != null && standing.decision() == (approve ? Approval.Decision.APPROVE : Approval.Decision.REJECT);
        if (record.get().status().decided()) {
            ChatReply decidedCard = ChatReply.replacingCard(gateCard(approval, approvals, record.get()));
            // The click that decided, delivered again after its worker stopped, is no refusal: it counted.
            return repeatsStanding ? new Check.Unchanged(decidedCard, approval, standing)
                    : new Check.Refused("the gate already decided: " + record.get().status(), decidedCard, approval, standing);
        }
        if (approval.expiredAt(now)) {
            return refused("This approval expired at " + approval.expiresAt() + "; nothing was decided", approval, standing);
        }
        if (approvals == null) {
            return refused("Gate '" + target.gate() + "' takes no approvals", approval, standing);
        }
        if (!permissions.gateApprovers(approvals).contains(userId)) {
            return refused("You are not among the approvers of gate '" + target.gate() + "'; nothing was decided", approval, standing);
        }
        if (approve && permissions.triggeringUsers(record.get().triggeredBy()).contains(userId)) {
            return refused("You triggered this release, so someone else must approve it; nothing was decided", approval, standing);
        }
        if (repeatsStanding) {
            // Rejects never expire; an approval counts for expiresAfter, and once it no longer does, clicking renews it.
            Instant countsUntil = approve ? standing.at().plus(approvals.expiresAfter()) : Instant.MAX;
            if (now.isBefore(countsUntil)) {
                return new Check.Unchanged(ChatReply.privately("Already done: " + target.key().id() + ": " + (approve ? "approved" : "rejected")
                        + " by " + userId + " at " + standing.at() + (approve ? ", counted until " + countsUntil : "")), approval, standing);
            }
        }
        return new Check.Allowed(approval, approve, standing);
    }

    /** The person's latest approve or reject on the release's digest, as the approvals check counts it; null when none. */
    private static Approval standingDecision(GateRecord record, String userId) {
        Approval latest = null;
        for (Approval decision : record.decisions()) {
            boolean counted = decision.decision() != Approval.Decision.BREAK_GLASS && decision.userId().equals(userId)
                    && decision.digest().equals(record.key().digest());
            if (counted && (latest == null || !decision.at().isBefore(latest.at()))) {
                latest = decision;
            }
        }
        return latest;
    }

    private Decided decidePipeline(PendingApproval approval, boolean approve, Requester who) {
        Instant now = clock.instant();
        PendingApproval current = approval;
        boolean resumed = current.state() == PendingApproval.State.DECIDING;
        String endedOutcome = current.state() == PendingApproval.State.ENDED ? current.outcome() : null;
        if (!resumed) {
            PendingApproval.Decision decision = new PendingApproval.Decision(who.userId(), approve, summary(who, approve), now);
            if (pending.startDeciding(current.id(), decision)) {
                current = current.deciding(decision);
            } else {
                // Someone else's click recorded its decision first: theirs stands, and they are telling CodePipeline.
                PendingApproval winner = pending.find(current.id()).orElseThrow();
                String by = winner.decision() == null ? "someone" : winner.decision().userId();
                return new Decided(AuditEntry.Outcome.REFUSED, "already decided by " + by, ChatReply.replacingCard(pipelineCard(winner)), false);
            }
        }
        PendingApproval.PipelineTarget target = current.pipeline();
        PendingApproval.Decision decision = current.decision();
        String outcome;
        AuditEntry.Outcome audited = AuditEntry.Outcome.DONE;
        try {
            pipelines.putApprovalResult(target.pipeline(), target.stage(), target.action(), target.token(), decision.approved(), decision.summary());
            outcome = (decision.approved() ? "approved" : "rejected") + " in CodePipeline";
        } catch (PipelineApprovals.AlreadyDecidedException e) {
            if (resumed) {
                // The untold decision had been told after all: the earlier attempt died after CodePipeline took it.
                outcome = (decision.approved() ? "approved" : "rejected") + " in CodePipeline";
            } else if (endedOutcome != null) {
                return closedAsEnded(current, endedOutcome, "already decided outside Slack");
            } else {
                outcome = "not applied: already decided outside Slack (console or CLI) before this click";
                audited = AuditEntry.Outcome.REFUSED;
            }
        } catch (PipelineApprovals.InvalidTokenException e) {
            if (endedOutcome != null) {
                return closedAsEnded(current, endedOutcome, "CodePipeline no longer takes this approval");
            }
            outcome = "not applied: CodePipeline no longer takes this approval (it expired, the stage ran again, or it was decided outside Slack)";
            audited = AuditEntry.Outcome.REFUSED;
        } catch (RuntimeException e) {
            LOG.error("PutApprovalResult for {} failed (pending approval {}); the click is to be delivered again to send it", target.path(),
                    current.id(), e);
            String told = "Your decision is recorded but CodePipeline could not be told yet; Gantry sends it again in a few minutes.";
            return new Decided(AuditEntry.Outcome.FAILED, decision.userId() + "'s decision on " + target.path() + " not sent yet: CodePipeline"
                    + " unreachable", ChatReply.privatelyRetryingLater(told), true);
        }
        if (!pending.finishDeciding(current.id(), outcome, clock.instant())) {
            LOG.info("pending approval {} was finished by another click", current.id());
        }
        PendingApproval done = pending.find(current.id()).orElse(current.decided(outcome));
        String summary = target.path() + ": " + (decision.approved() ? "approved" : "rejected") + " by " + decision.userId() + "; "
                + done.outcome();
        return new Decided(audited, summary, ChatReply.replacingCard(pipelineCard(done)), false);
    }

    /**
     * CodePipeline confirmed that the approval Gantry took for ended is closed: it goes back to ENDED with the outcome it
     * had, and the click is answered with the closed card.
     */
    private Decided closedAsEnded(PendingApproval deciding, String endedOutcome, String why) {
        if (!pending.endDeciding(deciding.id(), endedOutcome)) {
            LOG.info("pending approval {} was finished by another click", deciding.id());
        }
        PendingApproval ended = deciding.ended(endedOutcome);
        return new Decided(AuditEntry.Outcome.REFUSED, deciding.pipeline().path() + ": not applied: " + why + "; " + endedOutcome,
                ChatReply.replacingCard(ApprovalCards.pipelineClosedCard(ended, endedOutcome)), false);
    }

    private Decided decideGate(PendingApproval approval, boolean approve, Requester who) {
        PendingApproval.GateTarget target = approval.gate();
        Approval decision = new Approval(who.userId(), clock.instant(), target.key().digest(),
                approve ? Approval.Decision.APPROVE : Approval.Decision.REJECT, approve ? null : "rejected in Slack");
        GateRecord after;
        try {
            after = gates.decide(target.key(), decision);
        } catch (GateService.GateNotFoundException e) {
            return new Decided(AuditEntry.Outcome.REFUSED, "release " + target.key().id() + " is not at its gate",
                    ChatReply.privately("Release " + target.key().id() + " is not at its gate; nothing was decided."), false);
        } catch (RuntimeException e) {
            LOG.error("decision of {} on {} failed", who.userId(), target.key().id(), e);
            return new Decided(AuditEntry.Outcome.FAILED, who.userId() + "'s decision on " + target.key().id() + " not recorded",
                    ChatReply.privately("Your decision could not be recorded; the cause is in Gantry's logs. Click again in a minute."), true);
        }
        GateConfig.Approvals approvals = gates.gateOf(target.key().service(), target.key().environment()).map(GateConfig::approvals).orElse(null);
        String summary = target.key().id() + ": " + (approve ? "approved" : "rejected") + " by " + who.userId() + "; gate " + after.status()
                + (after.reason().isBlank() ? "" : " (" + after.reason() + ")");
        return new Decided(AuditEntry.Outcome.DONE, summary, ChatReply.replacingCard(gateCard(approval, approvals, after)), false, decision);
    }

    private ChatMessage pipelineCard(PendingApproval approval) {
        SlackConfig slack = config.slack();
        return ApprovalCards.pipelineCard(approval, slack == null ? List.of() : slack.permissions().pipelineApprovals());
    }

    private ChatMessage gateCard(PendingApproval approval, GateConfig.Approvals approvals, GateRecord record) {
        return ApprovalCards.gateCard(approval, approvals, record, permissions);
    }

    /** What CodePipeline shows in the run's history, within its limit. */
    private static String summary(Requester who, boolean approve) {
        String by = who.userName() == null || who.userName().isBlank() ? who.userId() : who.userName() + " (" + who.userId() + ")";
        String text = (approve ? "Approved" : "Rejected") + " in Slack by " + by;
        return text.length() <= PipelineApprovals.MAX_SUMMARY ? text : text.substring(0, PipelineApprovals.MAX_SUMMARY);
    }

    private static Check refused(String why, PendingApproval approval) {
        return refused(why, approval, null);
    }

    private static Check refused(String why, PendingApproval approval, Approval standing) {
        return new Check.Refused(why, ChatReply.privately(why), approval, standing);
    }
}
