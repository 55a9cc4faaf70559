package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.SlackText.code;
import static dev.gantry.core.chatops.SlackText.escape;
import static dev.gantry.core.chatops.SlackText.mention;
import static dev.gantry.core.chatops.SlackText.mentions;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.ChatMessage.Actions;
import dev.gantry.core.notify.ChatMessage.Block;
import dev.gantry.core.notify.ChatMessage.Button;
import dev.gantry.core.notify.ChatMessage.Confirm;
import dev.gantry.core.notify.ChatMessage.Context;
import dev.gantry.core.notify.ChatMessage.Fields;
import dev.gantry.core.notify.ChatMessage.Header;
import dev.gantry.core.notify.ChatMessage.Section;
import dev.gantry.core.notify.ChatMessage.Style;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The approval cards Gantry posts: what is to be approved, the instructions, who may decide, until when, and Approve /
 * Reject buttons that each ask for confirmation. A button's {@code value} is only the {@link PendingApproval}'s opaque
 * id; its action id says which kind of approval it decides, and a click whose kind differs from the stored one is
 * refused. Once decided, a card is drawn again with its outcome and who decided, without buttons.
 */
public final class ApprovalCards {

    public static final String PIPELINE_APPROVE = "gantry.pipeline.approve";
    public static final String PIPELINE_REJECT = "gantry.pipeline.reject";
    public static final String GATE_APPROVE = "gantry.gate.approve";
    public static final String GATE_REJECT = "gantry.gate.reject";
    /**
     * What link buttons' action ids start with: Slack reports their clicks too, and Gantry has nothing to do for them.
     * Each has its own id, because Slack refuses a block whose buttons share one.
     */
    public static final String LINK_PREFIX = "gantry.link.";
    public static final String LINK_REVIEW = LINK_PREFIX + "review";
    public static final String LINK_DETAILS = LINK_PREFIX + "details";

    private ApprovalCards() {}

    /**
     * A CodePipeline manual approval: with buttons while PENDING, with the decision once DECIDING or DECIDED, closed
     * once ENDED outside Slack.
     *
     * @param deciders who may decide it from Slack (user and group ids)
     */
    public static ChatMessage pipelineCard(PendingApproval approval, List<String> deciders) {
        if (approval.state() == PendingApproval.State.ENDED) {
            return pipelineClosedCard(approval, approval.outcome());
        }
        PendingApproval.PipelineTarget target = approval.pipeline();
        List<Block> blocks = new ArrayList<>();
        blocks.add(new Header("Approval needed: " + target.pipeline()));
        StringBuilder intro = new StringBuilder("Pipeline *" + escape(target.pipeline()) + "* waits at action *" + escape(target.action())
                + "* of stage *" + escape(target.stage()) + "* for a reviewer's decision.");
        if (target.instructions() != null) {
            intro.append("\n>").append(escape(target.instructions()).replace("\n", "\n>"));
        }
        blocks.add(new Section(intro.toString()));
        List<String> fields = new ArrayList<>(List.of("*Pipeline*\n" + escape(target.pipeline()), "*Stage / action*\n" + escape(target.stage())
                + " / " + escape(target.action())));
        if (target.region() != null) {
            fields.add("*Region*\n" + escape(target.region()));
        }
        fields.add("*Expires*\n" + approval.expiresAt().truncatedTo(ChronoUnit.SECONDS));
        blocks.add(new Fields(fields));
        String text;
        if (approval.state() == PendingApproval.State.PENDING) {
            blocks.add(new Section("May decide here: " + mentions(deciders)));
            List<Button> buttons = new ArrayList<>();
            buttons.add(new Button(PIPELINE_APPROVE, "Approve", approval.id(), Style.PRIMARY, new Confirm("Approve?",
                    "CodePipeline continues " + escape(target.pipeline()) + " past " + escape(target.action()) + " at once.", "Approve", "Cancel"),
                    null));
            buttons.add(new Button(PIPELINE_REJECT, "Reject", approval.id(), Style.DANGER, new Confirm("Reject?",
                    "The run of " + escape(target.pipeline()) + " stops at " + escape(target.action()) + ".", "Reject", "Cancel"), null));
            links(target, buttons);
            blocks.add(new Actions("approval:" + approval.id(), buttons));
            text = "Approval needed: " + target.path();
        } else {
            PendingApproval.Decision decision = approval.decision();
            String verdict = decision.approved() ? "Approved" : "Rejected";
            String outcome = approval.state() == PendingApproval.State.DECIDED ? approval.outcome() : "CodePipeline is being told";
            blocks.add(new Section("*" + verdict + "* by " + mention(decision.userId()) + " at " + decision.at().truncatedTo(ChronoUnit.SECONDS)
                    + (outcome == null ? "" : ": " + escape(outcome))));
            List<Button> buttons = new ArrayList<>();
            links(target, buttons);
            if (!buttons.isEmpty()) {
                blocks.add(new Actions("approval:" + approval.id(), buttons));
            }
            text = target.path() + ": " + verdict.toLowerCase() + " by " + decision.userId();
        }
        return new ChatMessage(text, blocks);
    }

    /** The card drawn when CodePipeline answered that the approval was no longer open to the click. */
    public static ChatMessage pipelineClosedCard(PendingApproval approval, String why) {
        PendingApproval.PipelineTarget target = approval.pipeline();
        List<Block> blocks = new ArrayList<>();
        blocks.add(new Header("Approval closed: " + target.pipeline()));
        blocks.add(new Section(target.path() + ": " + escape(why)));
        return new ChatMessage(target.path() + ": " + why, blocks);
    }

    /**
     * A release waiting at a gate for approvals: with buttons while its record is WAITING, with the gate's outcome once
     * it decided. Decisions on the digest are listed with who made them.
     *
     * @param record the gate record as it stands; null when it cannot be found any more
     * @param approvers who may approve, groups resolved or not (shown as mentions)
     * @param excluded the Slack users who triggered the release: named, because they may not approve it
     */
    public static ChatMessage gateCard(PendingApproval approval, GateConfig.Approvals approvals, GateRecord record, List<String> approvers,
            Set<String> excluded) {
        PendingApproval.GateTarget target = approval.gate();
        String release = target.key().service() + (target.tag() == null ? "" : " " + target.tag());
        List<Block> blocks = new ArrayList<>();
        blocks.add(new Header("Approve " + release + " for " + target.key().environment() + "?"));
        int required = approvals == null || approvals.required() == null ? 1 : approvals.required();
        blocks.add(new Section("Gate *" + escape(target.gate()) + "* holds this release until " + required + " of the people below approve"
                + " this digest. Gantry deploys exactly this digest, never whatever the tag points at later."));
        blocks.add(new Fields(List.of(
                "*Service*\n" + escape(target.key().service()),
                "*Environment*\n" + escape(target.key().environment()),
                "*Tag*\n" + (target.tag() == null ? "none" : code(target.tag())),
                "*Digest*\n" + code(target.key().digest().value()),
                "*Triggered by*\n" + (target.triggeredBy().isEmpty() ? "not known" : escape(String.join(", ", target.triggeredBy()))),
                "*Expires*\n" + approval.expiresAt().truncatedTo(ChronoUnit.SECONDS))));
        if (!target.changes().isEmpty()) {
            blocks.add(new Section("*Changes*\n" + String.join("\n", target.changes().stream().map(SlackText::code).toList())));
        }
        List<String> decided = decisions(record, target);
        boolean open = record != null && !record.status().decided();
        String text;
        if (open) {
            blocks.add(new Section("May approve: " + mentions(approvers)
                    + (excluded.isEmpty() ? "" : "; not " + mentions(excluded) + ", who triggered it")));
            if (!decided.isEmpty()) {
                blocks.add(new Context(decided));
            }
            blocks.add(new Actions("approval:" + approval.id(), List.of(
                    new Button(GATE_APPROVE, "Approve", approval.id(), Style.PRIMARY, new Confirm("Approve this digest?",
                            "You approve " + code(target.key().digest().shortForm()) + " of " + escape(target.key().service()) + " for "
                                    + escape(target.key().environment()) + ".", "Approve", "Cancel"), null),
                    new Button(GATE_REJECT, "Reject", approval.id(), Style.DANGER, new Confirm("Reject this digest?",
                            "A rejection fails the gate at once: " + code(target.key().digest().shortForm()) + " will not enter "
                                    + escape(target.key().environment()) + " this time.", "Reject", "Cancel"), null))));
            text = "Approval needed: " + release + " for " + target.key().environment() + " (" + record.reason() + ")";
        } else {
            String outcome = record == null ? "no longer at its gate" : record.status() + ": " + record.reason();
            blocks.add(new Section("*Gate decided*: " + escape(outcome)));
            if (!decided.isEmpty()) {
                blocks.add(new Context(decided));
            }
            text = release + " for " + target.key().environment() + ": " + outcome;
        }
        return new ChatMessage(text, blocks);
    }

    /**
     * {@link #gateCard(PendingApproval, GateConfig.Approvals, GateRecord, List, Set)} naming the gate's approvers, and the
     * Slack users who triggered the release as {@code permissions} resolve them.
     */
    static ChatMessage gateCard(PendingApproval approval, GateConfig.Approvals approvals, GateRecord record, ChatPermissions permissions) {
        List<String> approvers = new ArrayList<>();
        if (approvals != null) {
            approvers.addAll(approvals.users());
            approvers.addAll(approvals.groups());
        }
        Set<String> excluded = new LinkedHashSet<>();
        permissions.triggeringUsers(record == null ? approval.gate().triggeredBy() : record.triggeredBy()).stream()
                .filter(SlackText::isUserId)
                .forEach(excluded::add);
        return gateCard(approval, approvals, record, approvers, excluded);
    }

    /** Each person's standing approve or reject of the card's digest, as the approvals check counts them. */
    private static List<String> decisions(GateRecord record, PendingApproval.GateTarget target) {
        if (record == null) {
            return List.of();
        }
        Map<String, Approval> standing = new LinkedHashMap<>();
        record.decisions().stream()
                .filter(d -> d.digest().equals(target.key().digest()) && d.decision() != Approval.Decision.BREAK_GLASS)
                .sorted(Comparator.comparing(Approval::at))
                .forEach(d -> standing.put(d.userId(), d));
        return standing.values().stream()
                .map(d -> (d.decision() == Approval.Decision.APPROVE ? "approved by " : "rejected by ") + mention(d.userId()) + " at "
                        + d.at().truncatedTo(ChronoUnit.SECONDS))
                .toList();
    }

    private static void links(PendingApproval.PipelineTarget target, List<Button> buttons) {
        if (target.reviewLink() != null) {
            buttons.add(new Button(LINK_REVIEW, "Open in CodePipeline", null, null, null, target.reviewLink()));
        }
        if (target.externalLink() != null) {
            buttons.add(new Button(LINK_DETAILS, "Details", null, null, null, target.externalLink()));
        }
    }
}
