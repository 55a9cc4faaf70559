package dev.gantry.core.chatops;

import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An approval Gantry asked for in Slack, as stored: the real target of a card's buttons, whose {@code value} is only
 * {@link #id()}. Exactly one of {@link #pipeline()} and {@link #gate()} is set, as {@link #kind()} says.
 *
 * @param id the opaque id Gantry issued, derived from the target so that a re-delivered notification finds the record
 *     it made before
 * @param kind a CodePipeline manual approval or a release waiting at a Gantry gate
 * @param pipeline what a CodePipeline approval decides; null for a gate
 * @param gate what a gate approval decides; null for a pipeline
 * @param createdAt when the approval was asked for: for a pipeline approval, when CodePipeline asked (its SNS
 *     notification's {@code Timestamp}), which may be well before Gantry got to the notification; for a gate approval,
 *     when Gantry asked
 * @param expiresAt from this instant on, clicks are refused: CodePipeline's own expiry, or the gate's timeout
 * @param channelId where the card was posted; null until it was
 * @param messageTs the card's message; null until it was posted
 * @param postingMarker the delivery that set out to post the card, saved before the post and carried by the card's
 *     message, so that a later delivery finding no card recorded looks for the message before posting another; null on
 *     an approval stored before Gantry kept one
 * @param state how far the decision got (pipeline approvals only; a gate approval stays {@link State#PENDING}, its
 *     decisions live on the gate record)
 * @param decision who decided what; null while {@link State#PENDING}, and when it {@link State#ENDED} outside Slack
 * @param outcome what came of the decision, as shown on the card; null until {@link State#DECIDED} or {@link State#ENDED}
 */
public record PendingApproval(String id, Kind kind, PipelineTarget pipeline, GateTarget gate, Instant createdAt, Instant expiresAt,
        String channelId, String messageTs, PostingMarker postingMarker, State state, Decision decision, String outcome) {

    public PendingApproval {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(state, "state");
        if ((kind == Kind.PIPELINE) != (pipeline != null) || (kind == Kind.GATE) != (gate != null)) {
            throw new IllegalArgumentException("a " + kind + " approval carries exactly its own target");
        }
    }

    public static PendingApproval forPipeline(String id, PipelineTarget pipeline, Instant createdAt, Instant expiresAt) {
        return new PendingApproval(id, Kind.PIPELINE, pipeline, null, createdAt, expiresAt, null, null, null, State.PENDING, null, null);
    }

    public static PendingApproval forGate(String id, GateTarget gate, Instant createdAt, Instant expiresAt) {
        return new PendingApproval(id, Kind.GATE, null, gate, createdAt, expiresAt, null, null, null, State.PENDING, null, null);
    }

    /** Whether a click at {@code now} comes too late. The expiry instant itself is too late. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public PendingApproval postedAt(String newChannelId, String newMessageTs) {
        return new PendingApproval(id, kind, pipeline, gate, createdAt, expiresAt, newChannelId, newMessageTs, postingMarker, state, decision,
                outcome);
    }

    public PendingApproval postingCard(PostingMarker newPostingMarker) {
        return new PendingApproval(id, kind, pipeline, gate, createdAt, expiresAt, channelId, messageTs, newPostingMarker, state, decision,
                outcome);
    }

    public PendingApproval deciding(Decision newDecision) {
        return new PendingApproval(id, kind, pipeline, gate, createdAt, expiresAt, channelId, messageTs, postingMarker, State.DECIDING,
                newDecision, null);
    }

    public PendingApproval decided(String newOutcome) {
        return new PendingApproval(id, kind, pipeline, gate, createdAt, expiresAt, channelId, messageTs, postingMarker, State.DECIDED, decision,
                newOutcome);
    }

    /** Ended outside Slack, CodePipeline's event said: decided in its console or CLI, expired, or abandoned with its run. */
    public PendingApproval ended(String newOutcome) {
        return new PendingApproval(id, kind, pipeline, gate, createdAt, expiresAt, channelId, messageTs, postingMarker, State.ENDED, null,
                newOutcome);
    }

    public enum Kind { PIPELINE, GATE }

    /**
     * A pipeline approval's decision goes PENDING, then DECIDING (the decision is recorded, CodePipeline not told yet),
     * then DECIDED (CodePipeline answered). A crash between the two leaves DECIDING, which the next click resumes. One
     * that CodePipeline says ended while PENDING (decided outside Slack, expired, abandoned) is ENDED.
     */
    public enum State { PENDING, DECIDING, DECIDED, ENDED }

    /**
     * @param region the pipeline's region
     * @param pipeline the pipeline's name
     * @param stage the stage holding the approval action
     * @param action the approval action's name
     * @param token the approval's token: PutApprovalResult needs it, and it changes with each execution of the action
     * @param reviewLink CodePipeline's page for the approval; may be null
     * @param externalLink the URL the pipeline's author asked reviewers to look at; may be null
     * @param instructions the action's custom data, as its author wrote it; may be null
     */
    public record PipelineTarget(String region, String pipeline, String stage, String action, String token, String reviewLink,
            String externalLink, String instructions) {
        public PipelineTarget {
            Objects.requireNonNull(pipeline, "pipeline");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(token, "token");
        }

        /** {@code pipeline/stage/action}, as people and the audit log name it. */
        public String path() {
            return pipeline + "/" + stage + "/" + action;
        }
    }

    /**
     * @param key the release: service, environment, digest
     * @param gate the gate's name when the card was asked for
     * @param tag the tag it arrived with; may be null
     * @param triggeredBy who set it going, as the gate record says; they may not approve it
     * @param changes what deploying it changes, one line per container, when known; may be empty
     */
    public record GateTarget(ReleaseKey key, String gate, String tag, List<String> triggeredBy, List<String> changes) {
        public GateTarget {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(gate, "gate");
            triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    /**
     * @param userId who decided (Slack user id)
     * @param approved approve or reject
     * @param summary what CodePipeline is told, at most {@link PipelineApprovals#MAX_SUMMARY} characters
     * @param at when they clicked
     */
    public record Decision(String userId, boolean approved, String summary, Instant at) {
        public Decision {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(at, "at");
        }
    }
}
