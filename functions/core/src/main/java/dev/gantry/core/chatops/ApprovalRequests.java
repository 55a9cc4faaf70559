package dev.gantry.core.chatops;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ThreadKey;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks for approvals in Slack: stores a {@link PendingApproval} and posts its card, once per approval however often
 * the notification arrives (SNS delivers at least once). The id is derived from what is approved (the pipeline action's
 * token; the release and its arrival at the gate), so a second delivery finds the first one's record. The delivery that
 * stored the record posts the card; another waits for that card rather than posting its own, unless the record is older
 * than {@link #POSTER_GRACE} without one (its delivery died after storing it), and then it posts the card itself.
 *
 * <p>A card is posted once even when its place was never recorded (the store failed after Slack took the post, or the
 * post's answer was lost): as a thread's headline is (decision 25), the record carries a posting marker saved before the
 * post, the card's message carries the marker and the approval's id, and a delivery that finds a marker without a card
 * looks the message up ({@link ChatGateway#findHeadline}) and records it instead of posting another. Only when it is not
 * there does that delivery put its own marker in place of the one it found, and post.
 *
 * <p>Errors: {@link IllegalArgumentException} for a gate record that is not waiting or a gate without approvals;
 * {@link IllegalStateException} when Slack is not configured; {@link CardPendingException} when another delivery's card
 * did not appear while this one waited, or another delivery took over its posting; the ports' own exceptions as they
 * are, among them the chat service's refusal to be read ({@link ChatGateway.RejectedException}, e.g.
 * {@code not_in_channel}): then nothing is posted, since a card whose post may have gone through cannot be looked for.
 */
public final class ApprovalRequests {

    /** How long a CodePipeline approval waits when its notification does not say: CodePipeline's own limit. */
    public static final Duration DEFAULT_PIPELINE_EXPIRY = Duration.ofDays(7);

    /**
     * How long the delivery that stored an approval has to post its card before another delivery posts it instead: far
     * longer than a post takes, Slack's retries included, so that only a delivery that died leaves a card unposted so long.
     */
    public static final Duration POSTER_GRACE = Duration.ofMinutes(2);

    /** How many times, {@link #LOOK_INTERVAL} apart, a delivery looks for the card another one is posting. */
    static final int LOOKS = 50;
    static final Duration LOOK_INTERVAL = Duration.ofMillis(100);

    /** Waits between looks at a card another delivery is posting; {@code Thread::sleep} outside tests. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration);
    }

    private final GantryConfig config;
    private final PendingApprovals pending;
    private final ChatGateway chat;
    private final ChatPermissions permissions;
    private final Clock clock;
    private final Pause pause;

    public ApprovalRequests(GantryConfig config, PendingApprovals pending, ChatGateway chat, ChatPermissions permissions, Clock clock) {
        this(config, pending, chat, permissions, clock, ApprovalRequests::sleep);
    }

    public ApprovalRequests(GantryConfig config, PendingApprovals pending, ChatGateway chat, ChatPermissions permissions, Clock clock,
            Pause pause) {
        this.config = config;
        this.pending = pending;
        this.chat = chat;
        this.permissions = permissions;
        this.clock = clock;
        this.pause = pause;
    }

    /**
     * Posts the card of a CodePipeline manual approval, taking Gantry's clock for when CodePipeline asked; see
     * {@link #requestPipelineApproval(PipelineApprovalNotice, Instant, String)}.
     */
    public PendingApproval requestPipelineApproval(PipelineApprovalNotice notice, String channel) {
        return requestPipelineApproval(notice, null, channel);
    }

    /**
     * Posts the card of a CodePipeline manual approval; drawn closed, without buttons, when the approval's action is
     * known to have ended since {@code askedAt} ({@link PendingApprovals#firstPipelineApprovalEndAfter}): decided in the
     * console before Gantry got to the notification, say. An end that arrives while the card is being posted is caught by
     * looking again once its place is recorded, since the end's own redraw may have found no card yet.
     *
     * @param askedAt when CodePipeline asked: the SNS notification's {@code Timestamp}, which tells this run's approval
     *     from an earlier one and places it before or after an action's end; null for now
     * @param channel where; null for {@code slack.defaultChannel}
     * @return the pending approval, with where its card is
     */
    public PendingApproval requestPipelineApproval(PipelineApprovalNotice notice, Instant askedAt, String channel) {
        SlackConfig slack = slack();
        Instant asked = askedAt != null ? askedAt : clock.instant();
        PendingApproval.PipelineTarget target = new PendingApproval.PipelineTarget(notice.region(), notice.pipeline(), notice.stage(),
                notice.action(), notice.token(), notice.approvalReviewLink(), notice.externalEntityLink(), notice.customData());
        Instant expiresAt = notice.expires() != null ? notice.expires() : asked.plus(DEFAULT_PIPELINE_EXPIRY);
        PendingApproval approval = PendingApproval.forPipeline(pipelineApprovalId(notice), target, asked, expiresAt);
        AtomicBoolean drawnClosed = new AtomicBoolean();
        PendingApproval posted = posted(approval, channel != null ? channel : slack.defaultChannel(), stored -> {
            Optional<PipelineApprovalEnded> end = endAfterAsked(stored);
            drawnClosed.set(end.isPresent());
            return end.map(e -> ApprovalCards.pipelineClosedCard(stored, e.state().outcome()))
                    .orElseGet(() -> ApprovalCards.pipelineCard(stored, slack.permissions().pipelineApprovals()));
        });
        Optional<PipelineApprovalEnded> end = endAfterAsked(posted);
        if (end.isEmpty() || !pending.endPipelineApproval(posted.id(), end.get().state().outcome())) {
            return posted;
        }
        PendingApproval ended = posted.ended(end.get().state().outcome());
        if (!drawnClosed.get() && ended.channelId() != null) {
            chat.update(ended.channelId(), ended.messageTs(), ApprovalCards.pipelineClosedCard(ended, end.get().state().outcome()));
        }
        return ended;
    }

    private Optional<PipelineApprovalEnded> endAfterAsked(PendingApproval approval) {
        PendingApproval.PipelineTarget target = approval.pipeline();
        return pending.firstPipelineApprovalEndAfter(target.region(), target.pipeline(), target.stage(), target.action(),
                        EndedApprovals.endedAfter(approval.createdAt()))
                .filter(end -> !EndedApprovals.anEarlierRunStillWaits(pending, approval, end.at()));
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

    /**
     * How the card's message names its approval where a headline names its thread: under the kind of story it belongs to,
     * with the approval's id in place of the thread's.
     */
    static ThreadKey cardKey(PendingApproval approval) {
        return approval.kind() == PendingApproval.Kind.GATE
                ? new ThreadKey(ThreadKey.Kind.RELEASE, approval.gate().key().service(), approval.id())
                : new ThreadKey(ThreadKey.Kind.PIPELINE, approval.pipeline().pipeline(), approval.id());
    }

    private PendingApproval posted(PendingApproval approval, String channel, Function<PendingApproval, ChatMessage> card) {
        PendingApproval stored = approval.postingCard(newMarker());
        if (!pending.create(stored)) {
            stored = postedByItsDelivery(approval);
            if (stored.channelId() != null) {
                return stored;
            }
            Optional<ChatGateway.Posted> found = stored.postingMarker() == null ? Optional.empty()
                    : chat.findHeadline(channel, cardKey(stored), stored.postingMarker());
            if (found.isPresent()) {
                pending.cardPosted(stored.id(), found.get().channelId(), found.get().ts());
                return stored.postedAt(found.get().channelId(), found.get().ts());
            }
            PostingMarker ours = newMarker();
            if (!pending.startPostingCard(stored.id(), stored.postingMarker(), ours)) {
                PendingApproval now = pending.find(stored.id()).orElse(stored);
                if (now.channelId() != null) {
                    return now;
                }
                throw new CardPendingException("another delivery took over posting the card of approval " + stored.id()
                        + "; this delivery is to be tried again");
            }
            stored = stored.postingCard(ours);
        }
        ChatGateway.Posted posted = chat.postHeadline(channel, card.apply(stored), cardKey(stored), stored.postingMarker());
        pending.cardPosted(stored.id(), posted.channelId(), posted.ts());
        return stored.postedAt(posted.channelId(), posted.ts());
    }

    private PostingMarker newMarker() {
        return new PostingMarker(UUID.randomUUID().toString(), clock.instant());
    }

    /**
     * The approval another delivery stored, once that delivery has posted its card; or still without a card when the
     * delivery that last set out to post it did so more than {@link #POSTER_GRACE} ago, for this delivery to post. Copies
     * of one notification arriving together thus post one card, where each posting what it did not see posted yet would
     * post one each. The grace runs from the latest marker, not from when the approval was stored: a copy arriving just
     * after another took the posting over must leave that one its grace too, or both would post.
     *
     * @throws CardPendingException when no card appeared while this delivery looked, though its poster may still post it
     */
    private PendingApproval postedByItsDelivery(PendingApproval approval) {
        for (int look = 1; ; look++) {
            PendingApproval stored = pending.find(approval.id()).orElse(approval);
            Instant setOut = stored.postingMarker() != null ? stored.postingMarker().at() : stored.createdAt();
            if (stored.channelId() != null || !clock.instant().isBefore(setOut.plus(POSTER_GRACE))) {
                return stored;
            }
            if (look == LOOKS) {
                throw new CardPendingException("the card of approval " + approval.id() + " is being posted by another delivery, which "
                        + "set out at " + setOut + "; this delivery is to be tried again, and posts it after "
                        + setOut.plus(POSTER_GRACE) + " if it is still not there");
            }
            pause.pause(LOOK_INTERVAL);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an approval's card", e);
        }
    }

    private SlackConfig slack() {
        return Optional.ofNullable(config.slack())
                .orElseThrow(() -> new IllegalStateException("approvals cannot be asked for in Slack without a 'slack' section in gantry.yml"));
    }

    /** Another delivery of the same notification stored the approval and has not posted its card yet. */
    public static final class CardPendingException extends RuntimeException {
        public CardPendingException(String message) {
            super(message);
        }
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
