package dev.gantry.core.chatops;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControlsService;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Gantry does with a {@code /gantry} command or a click on one of its approval cards, once the Slack adapter has
 * checked the request's signature and read it into a {@link ChatCommand} or {@link ChatAction}.
 *
 * <p>Every request is checked, in this order: it comes from {@code slack.teamId} through {@code slack.appId}; the
 * command reads (else its usage); the person may run it ({@link ChatPermissions}). A command that changes something
 * then has one effect per Slack {@code trigger_id}, through the {@link ChatRequestLedger}: a Slack retry is answered
 * with the first outcome. A click on a pipeline approval counts once per approval and person. A click on a gate's card
 * counts once per Slack {@code trigger_id}, and once per person, decision and the decision of theirs it replaces: a
 * double click is answered with the first outcome, while a person's new decision (Reject after Approve, an approval
 * renewed after it expired) counts. Every change and every decision, and every refusal of one, is written to the
 * {@link AuditLog} before the request counts as done; a decision recorded on a gate by a click that stopped before its
 * entry was written gets the entry from the next click of that person on the card, its redelivery included, once the
 * decision is {@link #AUDIT_BACKFILL_GRACE} old. A click finding the decision younger and without an entry writes
 * nothing, since the click that recorded it may still be writing it, and is answered to be delivered again.
 *
 * <p>Answers: refusals, usage, {@code status} and {@code help} go to the asker only; a change is announced to the
 * channel; a decision redraws its card. A click whose decision CodePipeline could not be told is answered with
 * {@link ChatReply#retryLater}: the caller has the request delivered again, and the delivery sends the decision.
 *
 * <p>Errors: the ledger's and the audit log's exceptions, which fail the request (the claim is given up first, so Slack's
 * retry or the person's next click tries again). Everything else is an answer: a failure is told in a sentence, its
 * cause logged, never shown.
 */
public final class ChatOpsService {

    /** How long one request may take before a retry of it may take over: far longer than a Slack function runs. */
    public static final Duration LEASE = ApprovalDecisions.RESUME_AFTER;

    /**
     * The longest a chatops worker invocation runs: the infrastructure caps the worker's Lambda timeout at this
     * ({@code ChatOpsProps.MAX_TIMEOUT_SECONDS}), so that its deploys end well inside their 90 s release lease.
     */
    public static final int WORKER_MAX_TIMEOUT_SECONDS = 75;

    /**
     * How old a person's decision standing on a gate must be before a later click writes the audit entry it lacks: twice
     * the worker's longest run, so the click that recorded it (custom checks of up to 10 s each included) has certainly
     * stopped, whether it wrote the entry or not.
     */
    public static final Duration AUDIT_BACKFILL_GRACE = Duration.ofSeconds(2L * WORKER_MAX_TIMEOUT_SECONDS);

    private static final Logger LOG = LoggerFactory.getLogger(ChatOpsService.class);

    private final ChatPermissions permissions;
    private final SlashCommandParser parser;
    private final ChatRequestLedger ledger;
    private final AuditLog audit;
    private final ReleaseCommands releaseCommands;
    private final ControlCommands controlCommands;
    private final StatusReport status;
    private final ApprovalDecisions decisions;
    private final Clock clock;

    private ChatOpsService(Builder b) {
        GantryConfig config = Objects.requireNonNull(b.config, "config");
        Clock clock = Objects.requireNonNull(b.clock, "clock");
        DeployControls controls = Objects.requireNonNull(b.controls, "controls");
        GateService gates = Objects.requireNonNull(b.gates, "gates");
        this.permissions = new ChatPermissions(config, b.groups == null ? ApproverGroups.none() : b.groups);
        this.parser = new SlashCommandParser(config);
        this.ledger = Objects.requireNonNull(b.ledger, "ledger");
        this.audit = Objects.requireNonNull(b.audit, "audit");
        ManualFreezes freezes = Objects.requireNonNull(b.freezes, "freezes");
        ImageRegistry registry = Objects.requireNonNull(b.registry, "registry");
        ReleaseStore releases = Objects.requireNonNull(b.releases, "releases");
        this.releaseCommands = new ReleaseCommands(config, Objects.requireNonNull(b.deploys, "deploys"), releases, controls, registry);
        this.controlCommands = new ControlCommands(config, new DeployControlsService(config, controls, clock), registry, b.rebuilds, freezes,
                clock);
        this.status = new StatusReport(config, releases, controls, Objects.requireNonNull(b.gateStore, "gateStore"), freezes, clock);
        this.decisions = new ApprovalDecisions(config, Objects.requireNonNull(b.pendingApprovals, "pendingApprovals"),
                Objects.requireNonNull(b.pipelineApprovals, "pipelineApprovals"), gates, permissions, clock);
        this.clock = clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Answers a slash command. */
    public ChatReply handle(ChatCommand request) {
        Requester who = new Requester(request.teamId(), request.userId(), request.userName(), request.triggerId(), UUID.randomUUID().toString());
        String refusal = permissions.workspaceRefusal(request.teamId(), request.appId()).orElse(null);
        if (refusal != null) {
            String verb = request.text().isBlank() ? "help" : request.text().strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
            record(refusedEntry(who, verb, null, null, refusal));
            return ChatReply.privately("Refused: " + refusal + ".");
        }
        SlashCommand command;
        try {
            command = parser.parse(request.text(), clock.instant());
        } catch (SlashCommandParser.CommandSyntaxException e) {
            return ChatReply.privately(e.getMessage() + "\nUsage:\n" + e.usage());
        }
        if (!command.mutating()) {
            return switch (command) {
                case SlashCommand.Status s -> ChatReply.privately(status.of(s.service()));
                default -> ChatReply.privately(help());
            };
        }
        if (!permissions.mayRun(command, request.userId())) {
            String why = "you may not " + command.verb() + where(command) + " (ask whoever keeps gantry.yml to add you to its permissions)";
            record(refusedEntry(who, command.verb(), serviceOf(command), environmentOf(command), why));
            return ChatReply.privately("Refused: " + why + ".");
        }
        if (request.triggerId() == null || request.triggerId().isBlank()) {
            return ChatReply.privately("Refused: Slack sent this command without a trigger_id, so Gantry cannot make sure it runs once.");
        }
        String key = "command#" + request.teamId() + "#" + request.triggerId();
        return once(List.of(key), who, () -> {
            CommandOutcome outcome = run(command, who);
            AuditEntry entry = new AuditEntry(key, clock.instant(), who.teamId(), who.userId(), who.userName(), command.verb(), serviceOf(command),
                    outcome.environment() != null ? outcome.environment() : environmentOf(command), outcome.digest(),
                    outcome.subject(), outcome.outcome(), outcome.summary());
            ChatReply reply = outcome.outcome() == AuditEntry.Outcome.DONE ? ChatReply.toChannel(outcome.message())
                    : ChatReply.privately(outcome.message());
            return new Answered(entry, outcome.summary(), reply, false);
        });
    }

    /** Answers a click on an approval card. */
    public ChatReply handle(ChatAction click) {
        if (click.actionId() != null && click.actionId().startsWith(ApprovalCards.LINK_PREFIX)) {
            return ChatReply.NOTHING;
        }
        Requester who = new Requester(click.teamId(), click.userId(), null, click.triggerId(), UUID.randomUUID().toString());
        String refusal = permissions.workspaceRefusal(click.teamId(), click.appId()).orElse(null);
        if (refusal != null) {
            record(refusedEntry(who, actionOf(click), null, null, refusal));
            return ChatReply.privately("Refused: " + refusal + ".");
        }
        ApprovalDecisions.Check check = decisions.check(click);
        boolean standingUnaudited = auditStanding(who, check);
        if (check instanceof ApprovalDecisions.Check.Refused refused) {
            record(clickEntry("refused#" + click.triggerId(), who, actionOf(click), refused.approval(), AuditEntry.Outcome.REFUSED, refused.why()));
            return standingUnaudited ? refused.reply().retryingLater() : refused.reply();
        }
        if (check instanceof ApprovalDecisions.Check.Unchanged unchanged) {
            // Delivered again after the grace, the click writes the entry, should the click that recorded it have stopped.
            return standingUnaudited ? unchanged.reply().retryingLater() : unchanged.reply();
        }
        if (check instanceof ApprovalDecisions.Check.NotYet notYet) {
            return notYet.reply();
        }
        ApprovalDecisions.Check.Allowed allowed = (ApprovalDecisions.Check.Allowed) check;
        String key = "click#" + allowed.approval().id() + "#" + click.userId();
        if (allowed.approval().kind() == PendingApproval.Kind.GATE) {
            String clickKey = key + "#" + click.triggerId();
            // Clicks checked at once read the same standing decision, so a double click shares this key and counts once.
            String decisionKey = key + "#" + (allowed.approve() ? "approve" : "reject") + "#over#" + describe(allowed.standing());
            return once(List.of(clickKey, decisionKey), who, () -> {
                ApprovalDecisions.Decided decided = decisions.decide(allowed, who);
                String entryId = decided.recorded() == null ? clickKey : decisionEntryId(allowed.approval(), decided.recorded());
                AuditEntry entry = clickEntry(entryId, who, allowed.approve() ? "approve" : "reject", allowed.approval(), decided.outcome(),
                        decided.summary());
                return new Answered(entry, decided.summary(), decided.reply(), decided.retryable());
            });
        }
        return once(List.of(key), who, () -> {
            ApprovalDecisions.Decided decided = decisions.decide(allowed, who);
            // A decision that could not be sent is recorded under the click's own id, so the click that later sends it has its own entry.
            String entryId = decided.retryable() ? key + "#" + click.triggerId() : key;
            AuditEntry entry = clickEntry(entryId, who, allowed.approve() ? "approve" : "reject", allowed.approval(), decided.outcome(),
                    decided.summary());
            return new Answered(entry, decided.summary(), decided.reply(), decided.retryable());
        });
    }

    /**
     * Writes the audit entry of the person's decision standing on the gate when it has none and is older than
     * {@link #AUDIT_BACKFILL_GRACE}: the click that recorded it stopped between the gate record and the audit log, and
     * this click (its redelivery, or the person's next one) writes the entry it lacks, dated with the decision's own time
     * so that it lands in the decision's audit day. Keyed by the decision, so a written entry stays the only one.
     *
     * @return whether the standing decision has no entry and is too young for this click to write one: the click that
     *     recorded it may still be writing it (a double click checked while the first one runs its custom checks)
     */
    private boolean auditStanding(Requester who, ApprovalDecisions.Check check) {
        Approval standing = check.standing();
        PendingApproval approval = switch (check) {
            case ApprovalDecisions.Check.Refused refused -> refused.approval();
            case ApprovalDecisions.Check.Unchanged unchanged -> unchanged.approval();
            case ApprovalDecisions.Check.Allowed allowed -> allowed.approval();
            case ApprovalDecisions.Check.NotYet notYet -> null;
        };
        if (standing == null || approval == null) {
            return false;
        }
        String entryId = decisionEntryId(approval, standing);
        if (audit.find(entryId).isPresent()) {
            return false;
        }
        Instant now = clock.instant();
        if (now.isBefore(standing.at().plus(AUDIT_BACKFILL_GRACE))) {
            return true;
        }
        if (auditedUnderItsClick(approval, standing)) {
            return false;
        }
        ReleaseKey key = approval.gate().key();
        boolean approved = standing.decision() == Approval.Decision.APPROVE;
        record(new AuditEntry(entryId, standing.at(), who.teamId(), standing.userId(), who.userName(),
                approved ? "approve" : "reject", key.service(), key.environment(), standing.digest().value(), "gate " + approval.gate().gate(),
                AuditEntry.Outcome.DONE, key.id() + ": " + (approved ? "approved" : "rejected") + " by " + standing.userId() + " at "
                        + standing.at() + ", as recorded on the gate; entry written late, at " + now + ", none having been written"));
        return false;
    }

    /**
     * Whether an entry under another id records the decision: one by its person, of its action, release and digest,
     * answered between the decision and the end of its grace. Entries written before decisions were keyed by the
     * decision carry the click's id, so the decision's id alone would not find them; only that range is read.
     */
    private boolean auditedUnderItsClick(PendingApproval approval, Approval decision) {
        ReleaseKey key = approval.gate().key();
        String action = decision.decision() == Approval.Decision.APPROVE ? "approve" : "reject";
        return audit.entriesBetween(key.service(), decision.at(), decision.at().plus(AUDIT_BACKFILL_GRACE)).stream()
                .anyMatch(entry -> entry.outcome() == AuditEntry.Outcome.DONE && action.equals(entry.action())
                        && decision.userId().equals(entry.userId()) && key.environment().equals(entry.environment())
                        && decision.digest().value().equals(entry.digest()));
    }

    /** What identifies a decision recorded on a gate: whose, which, on which release and digest, when. */
    private static String decisionEntryId(PendingApproval approval, Approval decision) {
        ReleaseKey key = approval.gate().key();
        return "decision#" + key.service() + "#" + key.environment() + "#" + decision.digest().value() + "#" + decision.userId() + "#"
                + decision.decision() + "@" + decision.at();
    }

    private static String describe(Approval standing) {
        return standing == null ? "none" : standing.decision() + "@" + standing.at();
    }

    /** What one claimed request came to: its audit entry, the outcome a retry is told, the answer. */
    private record Answered(AuditEntry entry, String outcome, ChatReply reply, boolean retryable) {}

    /**
     * Runs {@code work} once per each of {@code keys}, claimed in order: when one is done already the request is told its
     * first outcome, when one is in progress it is told so, and the keys claimed before it are given up. The audit entry
     * is written before the ledger completes, and a failure of either gives the claims up, so a retry records and
     * completes it.
     */
    private ChatReply once(List<String> keys, Requester who, Supplier<Answered> work) {
        List<String> held = new ArrayList<>();
        try {
            for (String key : keys) {
                ChatRequestLedger.Claim claim = ledger.claim(key, who.invocationId(), clock.instant(), LEASE);
                switch (claim) {
                    case ChatRequestLedger.Claim.AlreadyDone done -> {
                        giveUp(held, who);
                        return ChatReply.privately("Already done: " + done.outcome());
                    }
                    case ChatRequestLedger.Claim.InProgress inProgress -> {
                        giveUp(held, who);
                        return ChatReply.privately("Already being handled; the answer follows.");
                    }
                    case ChatRequestLedger.Claim.Granted granted -> held.add(key);
                }
            }
            Answered answered = work.get();
            audit.record(answered.entry());
            if (answered.retryable()) {
                giveUp(held, who);
            } else {
                for (String key : held) {
                    ledger.complete(key, who.invocationId(), answered.outcome(), clock.instant());
                }
            }
            return answered.reply();
        } catch (RuntimeException e) {
            try {
                giveUp(held, who);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private void giveUp(List<String> held, Requester who) {
        for (String key : held) {
            ledger.abandon(key, who.invocationId(), clock.instant());
        }
    }

    private CommandOutcome run(SlashCommand command, Requester who) {
        return switch (command) {
            case SlashCommand.Deploy deploy -> releaseCommands.deploy(deploy, who);
            case SlashCommand.Rollback rollback -> releaseCommands.rollback(rollback, who);
            case SlashCommand.Pin pin -> controlCommands.pin(pin, who);
            case SlashCommand.Unpin unpin -> controlCommands.unpin(unpin, who);
            case SlashCommand.Veto veto -> controlCommands.veto(veto, who);
            case SlashCommand.Rebuild rebuild -> controlCommands.rebuild(rebuild, who);
            case SlashCommand.Freeze freeze -> controlCommands.freeze(freeze, who);
            case SlashCommand.Status s -> throw new IllegalArgumentException("status changes nothing");
            case SlashCommand.Help h -> throw new IllegalArgumentException("help changes nothing");
        };
    }

    private void record(AuditEntry entry) {
        audit.record(entry);
        LOG.info("chatops {} by {}: {}: {}", entry.action(), entry.userId(), entry.outcome(), entry.detail());
    }

    private AuditEntry refusedEntry(Requester who, String action, String service, String environment, String why) {
        return new AuditEntry("refused#" + who.requestId(), clock.instant(), who.teamId(), who.userId(), who.userName(), action, service,
                environment, null, null, AuditEntry.Outcome.REFUSED, why);
    }

    private AuditEntry clickEntry(String id, Requester who, String action, PendingApproval approval, AuditEntry.Outcome outcome, String detail) {
        String service = null;
        String environment = null;
        String digest = null;
        String subject = null;
        if (approval != null && approval.kind() == PendingApproval.Kind.GATE) {
            service = approval.gate().key().service();
            environment = approval.gate().key().environment();
            digest = approval.gate().key().digest().value();
            subject = "gate " + approval.gate().gate();
        } else if (approval != null) {
            subject = approval.pipeline().path();
        }
        return new AuditEntry(id, clock.instant(), who.teamId(), who.userId(), who.userName(), action, service, environment, digest, subject,
                outcome, detail);
    }

    private static String actionOf(ChatAction click) {
        if (click.actionId() == null) {
            return "click";
        }
        return click.actionId().endsWith(".approve") ? "approve" : click.actionId().endsWith(".reject") ? "reject" : click.actionId();
    }

    private static ChatMessage help() {
        List<String> lines = new ArrayList<>(SlashCommandParser.help());
        List<ChatMessage.Block> blocks = List.of(new ChatMessage.Header("Gantry commands"), new ChatMessage.Section(String.join("\n", lines)));
        return new ChatMessage("Gantry commands: " + String.join(", ", SlashCommandParser.USAGE.keySet()), blocks);
    }

    private static String serviceOf(SlashCommand command) {
        return switch (command) {
            case SlashCommand.Status c -> c.service();
            case SlashCommand.Deploy c -> c.service();
            case SlashCommand.Rollback c -> c.service();
            case SlashCommand.Pin c -> c.service();
            case SlashCommand.Unpin c -> c.service();
            case SlashCommand.Veto c -> c.service();
            case SlashCommand.Rebuild c -> null;
            case SlashCommand.Freeze c -> null;
            case SlashCommand.Help c -> null;
        };
    }

    private static String environmentOf(SlashCommand command) {
        return switch (command) {
            case SlashCommand.Deploy c -> c.environment();
            case SlashCommand.Rollback c -> c.environment();
            case SlashCommand.Pin c -> c.environment();
            case SlashCommand.Unpin c -> c.environment();
            case SlashCommand.Veto c -> c.environment();
            case SlashCommand.Freeze c -> c.scope();
            case SlashCommand.Status c -> null;
            case SlashCommand.Rebuild c -> null;
            case SlashCommand.Help c -> null;
        };
    }

    private static String where(SlashCommand command) {
        if (command instanceof SlashCommand.Freeze freeze) {
            return freeze.scope().equals(ManualFreeze.EVERY_ENVIRONMENT) ? " every environment" : " " + freeze.scope();
        }
        if (command instanceof SlashCommand.Rebuild rebuild) {
            return " " + rebuild.baseImage();
        }
        return " " + serviceOf(command) + " in " + environmentOf(command);
    }

    /**
     * Collects what the service works with. Required: config, clock, ledger, audit, deploys, controls, releases,
     * registry, gates, gateStore, freezes, pendingApprovals, pipelineApprovals. Optional: groups (none: only user ids
     * count), rebuilds (none: {@code rebuild} answers that rebuilds are not available).
     */
    public static final class Builder {
        private GantryConfig config;
        private Clock clock;
        private ApproverGroups groups;
        private ChatRequestLedger ledger;
        private AuditLog audit;
        private DeployService deploys;
        private DeployControls controls;
        private ReleaseStore releases;
        private ImageRegistry registry;
        private RebuildService rebuilds;
        private GateService gates;
        private GateStore gateStore;
        private ManualFreezes freezes;
        private PendingApprovals pendingApprovals;
        private PipelineApprovals pipelineApprovals;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder groups(ApproverGroups groups) {
            this.groups = groups;
            return this;
        }

        public Builder ledger(ChatRequestLedger ledger) {
            this.ledger = ledger;
            return this;
        }

        public Builder audit(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public Builder deploys(DeployService deploys) {
            this.deploys = deploys;
            return this;
        }

        public Builder controls(DeployControls controls) {
            this.controls = controls;
            return this;
        }

        public Builder releases(ReleaseStore releases) {
            this.releases = releases;
            return this;
        }

        public Builder registry(ImageRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder rebuilds(RebuildService rebuilds) {
            this.rebuilds = rebuilds;
            return this;
        }

        /** @param gateStore read for the release waiting at each environment's gate ({@code status}) */
        public Builder gates(GateService gates, GateStore gateStore) {
            this.gates = gates;
            this.gateStore = gateStore;
            return this;
        }

        public Builder freezes(ManualFreezes freezes) {
            this.freezes = freezes;
            return this;
        }

        public Builder pendingApprovals(PendingApprovals pendingApprovals) {
            this.pendingApprovals = pendingApprovals;
            return this;
        }

        public Builder pipelineApprovals(PipelineApprovals pipelineApprovals) {
            this.pipelineApprovals = pipelineApprovals;
            return this;
        }

        /** @throws NullPointerException naming the first required part missing */
        public ChatOpsService build() {
            return new ChatOpsService(this);
        }
    }
}
