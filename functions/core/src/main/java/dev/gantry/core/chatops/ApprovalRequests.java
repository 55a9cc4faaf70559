package dev.gantry.core.chatops;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks for approvals in Slack: stores a {@link PendingApproval} and posts its card, once per approval however often
 * the notification arrives (SNS delivers at least once). The id is derived from what is approved (the pipeline action's
 * token; the release and its arrival at the gate), so a second delivery finds the first one's record; a record whose
 * card was never posted (a crash after storing it) gets its card then.
 *
 * <p>Errors: {@link IllegalArgumentException} for a gate record that is not waiting or a gate without approvals;
 * {@link IllegalStateException} when Slack is not configured; the ports' own exceptions as they are.
 */
public final class ApprovalRequests {

    /** How long a CodePipeline approval waits when its notification does not say: CodePipeline's own limit. */
    public static final Duration DEFAULT_PIPELINE_EXPIRY = Duration.ofDays(7);

    private final GantryConfig config;
    private final PendingApprovals pending;
    private final ChatGateway chat;
    private final ChatPermissions permissions;
    private final Clock clock;

    public ApprovalRequests(GantryConfig config, PendingApprovals pending, ChatGateway chat, ChatPermissions permissions, Clock clock) {
        this.config = config;
        this.pending = pending;
        this.chat = chat;
        this.permissions = permissions;
        this.clock = clock;
    }

    /**
     * Posts the card of a CodePipeline manual approval.
     *
     * @param channel where; null for {@code slack.defaultChannel}
     * @return the pending approval, with where its card is
     */
    public PendingApproval requestPipelineApproval(PipelineApprovalNotice notice, String channel) {
        SlackConfig slack = slack();
        Instant now = clock.instant();
        PendingApproval.PipelineTarget target = new PendingApproval.PipelineTarget(notice.region(), notice.pipeline(), notice.stage(),
                notice.action(), notice.token(), notice.approvalReviewLink(), notice.externalEntityLink(), notice.customData());
        Instant expiresAt = notice.expires() != null ? notice.expires() : now.plus(DEFAULT_PIPELINE_EXPIRY);
        PendingApproval approval = PendingApproval.forPipeline(pipelineApprovalId(notice), target, now, expiresAt);
        return posted(approval, channel != null ? channel : slack.defaultChannel(),
                stored -> ApprovalCards.pipelineCard(stored, slack.permissions().pipelineApprovals()));
    }

    /**
     * Posts the card of a release waiting at its gate for approvals, to the service's channel.
     *
     * @param changes what deploying it changes, one line per container, when the caller knows; may be empty
     */
    public PendingApproval requestGateApproval(GateRecord record, List<String> changes) {
        SlackConfig slack = slack();
        if (record.status().decided()) {
            throw new IllegalArgumentException("release " + record.key().id() + " is not waiting at its gate: " + record.status());
        }
        GateConfig gate = config.gate(record.gate())
                .orElseThrow(() -> new IllegalArgumentException("no gate named '" + record.gate() + "' in the configuration"));
        if (gate.approvals() == null) {
            throw new IllegalArgumentException("gate '" + gate.name() + "' takes no approvals");
        }
        Instant now = clock.instant();
        PendingApproval.GateTarget target = new PendingApproval.GateTarget(record.key(), record.gate(), record.tag(), record.triggeredBy(),
                changes);
        PendingApproval approval = PendingApproval.forGate(gateApprovalId(record), target, now, now.plus(gate.timeout()));
        List<String> approvers = new ArrayList<>(gate.approvals().users());
        approvers.addAll(gate.approvals().groups());
        return posted(approval, slack.channelFor(record.key().service()),
                stored -> ApprovalCards.gateCard(stored, gate.approvals(), record, approvers,
                        permissions.triggeringUsers(record.triggeredBy()).stream().filter(SlackText::isUserId)
                                .collect(Collectors.toCollection(LinkedHashSet::new))));
    }

    /** The opaque id of a pipeline approval's card: one per execution of the approval action (its token). */
    public static String pipelineApprovalId(PipelineApprovalNotice notice) {
        return "pa_" + hash(notice.pipeline(), notice.stage(), notice.action(), notice.token());
    }

    /** The opaque id of a gate approval's card: one per release and arrival at the gate. */
    public static String gateApprovalId(GateRecord record) {
        return "ga_" + hash(record.key().service(), record.key().environment(), record.key().digest().value(), String.valueOf(record.arrival()));
    }

    private PendingApproval posted(PendingApproval approval, String channel, Function<PendingApproval, ChatMessage> card) {
        PendingApproval stored = approval;
        if (!pending.create(approval)) {
            stored = pending.find(approval.id()).orElse(approval);
            if (stored.channelId() != null) {
                return stored;
            }
        }
        ChatGateway.Posted posted = chat.post(channel, card.apply(stored), null);
        pending.cardPosted(stored.id(), posted.channelId(), posted.ts());
        return stored.postedAt(posted.channelId(), posted.ts());
    }

    private SlackConfig slack() {
        return Optional.ofNullable(config.slack())
                .orElseThrow(() -> new IllegalStateException("approvals cannot be asked for in Slack without a 'slack' section in gantry.yml"));
    }

    private static String hash(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
