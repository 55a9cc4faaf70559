package dev.gantry.core.gate;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A release at a gate, as stored: what it waits for, what the gate said each time, who decided what, and
 * the gate engine's memory. This is the audit trail Slack and an auditor read to say why a release went,
 * waited or was refused.
 *
 * @param key service, environment and digest
 * @param gate the gate's name
 * @param origin what brought the release here
 * @param image the digest-pinned image
 * @param tag the tag it arrived with; may be null
 * @param pushedAt when the image was pushed, if known
 * @param triggeredBy who set the release going, as far as the event told (Slack user ids, e-mail addresses,
 *     IAM ARNs); empty when it did not
 * @param status where it stands
 * @param reason the latest one-line reason
 * @param state the engine's memory between evaluations
 * @param nextLook when the gate wants to look again; null once decided
 * @param lastEvaluatedAt when the checks last ran; null before the first evaluation
 * @param dueAt when the gate sweep must act on this record (evaluate it, or hand a passed release to the
 *     deploy); null when the sweep has nothing to do with it
 * @param decisions every approval, rejection and break-glass, in the order recorded
 * @param evaluations the gate's distinct answers, oldest first, at most {@link #MAX_EVALUATIONS}
 * @param handoff what happened after the gate passed (the deploy's outcome); null until then
 * @param createdAt when the release reached the gate
 * @param updatedAt last change
 * @param version incremented by every change; the store replaces a record only from the version it was read at
 * @param arrival what brought the release to the gate this time (an event id, a pipeline job, an ECS deployment); a
 *     decided record met by another arrival opens a new round, because a gate answers one arrival, not a digest
 *     forever. Null when the caller did not say (then the stored round stands)
 * @param pipelineExecution the CodePipeline execution whose action brought the release this round, when its job said.
 *     Null for every other arrival, and on records stored before Gantry kept it
 * @param executionPasses the CodePipeline executions whose gate action a round of this release passed, and when, oldest
 *     first, at most {@link #MAX_EXECUTION_PASSES}: each stands for the later actions of its execution (its deploy action),
 *     which do not open a new round, whatever round another execution bringing the same digest opened since. Kept across
 *     rounds for that reason; empty on records stored before Gantry kept it, whose passed round's execution counts instead
 */
public record GateRecord(
        ReleaseKey key,
        String gate,
        GateOrigin origin,
        String image,
        String tag,
        Instant pushedAt,
        List<String> triggeredBy,
        GateStatus status,
        String reason,
        GateState state,
        Instant nextLook,
        Instant lastEvaluatedAt,
        Instant dueAt,
        List<Approval> decisions,
        List<GateEvaluation> evaluations,
        String handoff,
        Instant createdAt,
        Instant updatedAt,
        long version,
        String arrival,
        String pipelineExecution,
        List<ExecutionPass> executionPasses) {

    /**
     * Distinct answers kept per release: the first (how the wait began) and the newest. A day of waiting
     * with every check changing hourly stays far below DynamoDB's 400 KB item limit.
     */
    public static final int MAX_EVALUATIONS = 40;

    /**
     * Executions whose pass a record keeps. Only two executions bringing the same digest at once are expected (a pipeline
     * released again while its earlier run waits); the bound keeps a digest re-released all year within the item limit.
     */
    public static final int MAX_EXECUTION_PASSES = 20;

    /**
     * A round of the release passed for pipeline execution {@code execution}'s gate action at {@code at}.
     *
     * @param execution the CodePipeline execution id
     * @param at when the round passed: the approvals that let the release in are counted as of then
     * @param triggeredBy who triggered the round that passed, as the round had it (empty when unknown): the approvals are
     *     counted as of the pass against them, not against whoever brought the digest to the gate since, so an approver of
     *     this round triggering another execution of the digest takes nothing from this one
     */
    public record ExecutionPass(String execution, Instant at, List<String> triggeredBy) {
        public ExecutionPass {
            Objects.requireNonNull(execution, "execution");
            Objects.requireNonNull(at, "at");
            triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
        }
    }

    public GateRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
        evaluations = evaluations == null ? List.of() : List.copyOf(evaluations);
        reason = reason == null ? "" : reason;
        executionPasses = executionPasses == null ? List.of() : List.copyOf(executionPasses);
    }

    public GateRecord(ReleaseKey key, String gate, GateOrigin origin, String image, String tag, Instant pushedAt, List<String> triggeredBy,
            GateStatus status, String reason, GateState state, Instant nextLook, Instant lastEvaluatedAt, Instant dueAt,
            List<Approval> decisions, List<GateEvaluation> evaluations, String handoff, Instant createdAt, Instant updatedAt, long version,
            String arrival, String pipelineExecution) {
        this(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook, lastEvaluatedAt, dueAt, decisions,
                evaluations, handoff, createdAt, updatedAt, version, arrival, pipelineExecution, List.of());
    }

    public GateRecord(ReleaseKey key, String gate, GateOrigin origin, String image, String tag, Instant pushedAt, List<String> triggeredBy,
            GateStatus status, String reason, GateState state, Instant nextLook, Instant lastEvaluatedAt, Instant dueAt,
            List<Approval> decisions, List<GateEvaluation> evaluations, String handoff, Instant createdAt, Instant updatedAt, long version) {
        this(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook, lastEvaluatedAt, dueAt, decisions,
                evaluations, handoff, createdAt, updatedAt, version, null, null);
    }

    public GateRecord(ReleaseKey key, String gate, GateOrigin origin, String image, String tag, Instant pushedAt, List<String> triggeredBy,
            GateStatus status, String reason, GateState state, Instant nextLook, Instant lastEvaluatedAt, Instant dueAt,
            List<Approval> decisions, List<GateEvaluation> evaluations, String handoff, Instant createdAt, Instant updatedAt, long version,
            String arrival) {
        this(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook, lastEvaluatedAt, dueAt, decisions,
                evaluations, handoff, createdAt, updatedAt, version, arrival, null);
    }

    /** A release that has just reached its gate: nothing evaluated, due at once. */
    public static GateRecord arriving(GateSubject subject, String gate, Instant now) {
        return new GateRecord(subject.key(), gate, subject.origin(), subject.image(), subject.tag(), subject.pushedAt(),
                subject.triggeredBy(), GateStatus.WAITING, "not evaluated yet", GateState.INITIAL, now, null,
                subject.origin() == GateOrigin.DEPLOY ? now : null, List.of(), List.of(), null, now, now, 0, subject.arrival(),
                subject.pipelineExecution(), List.of());
    }

    /** The record after one evaluation; a pass is the pass of the execution that brought the round, when it said. */
    public GateRecord evaluated(GateVerdict verdict, GateStatus newStatus, Instant nextLookAt, Instant newDueAt, Instant now) {
        List<GateEvaluation> history = new ArrayList<>(evaluations);
        GateEvaluation latest = GateEvaluation.of(verdict, now);
        if (!history.isEmpty() && history.getLast().sameAnswerAs(latest)) {
            history.set(history.size() - 1, history.getLast().repeatedAt(now));
        } else {
            history.add(latest);
            if (history.size() > MAX_EVALUATIONS) {
                history.remove(1);
            }
        }
        List<ExecutionPass> passes = newStatus == GateStatus.PASSED && pipelineExecution != null
                ? withPass(new ExecutionPass(pipelineExecution, now, triggeredBy))
                : executionPasses;
        return new GateRecord(key, gate, origin, image, tag, pushedAt, triggeredBy, newStatus, verdict.reason(), verdict.state(),
                nextLookAt, now, newDueAt, decisions, history, handoff, createdAt, now, version + 1, arrival, pipelineExecution, passes);
    }

    public GateRecord withDecision(Approval decision, Instant now) {
        List<Approval> all = new ArrayList<>(decisions);
        all.add(decision);
        // A new decision can change the answer at once: the sweep looks again now, not at the old next look.
        Instant newDueAt = status == GateStatus.WAITING && origin == GateOrigin.DEPLOY ? now : dueAt;
        return new GateRecord(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook,
                lastEvaluatedAt, newDueAt, all, evaluations, handoff, createdAt, now, version + 1, arrival, pipelineExecution,
                executionPasses);
    }

    public GateRecord superseded(ImageDigest newer, Instant now) {
        return new GateRecord(key, gate, origin, image, tag, pushedAt, triggeredBy, GateStatus.SUPERSEDED,
                "replaced at the gate by a newer digest, " + newer.shortForm(), state, null, lastEvaluatedAt, null, decisions,
                evaluations, handoff, createdAt, now, version + 1, arrival, pipelineExecution, executionPasses);
    }

    /** The passed release was handed to the deploy, which answered {@code outcome}. */
    public GateRecord handedOff(String outcome, Instant now) {
        return new GateRecord(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook,
                lastEvaluatedAt, null, decisions, evaluations, outcome, createdAt, now, version + 1, arrival, pipelineExecution,
                executionPasses);
    }

    /**
     * A new round for a release whose gate already decided, brought back by another arrival (a re-run pipeline, a
     * second push of the digest, an ECS deployment): the gate looks again from the start instead of repeating an
     * old answer. Decisions and evaluations stay, as the audit trail and because unexpired approvals of the digest
     * still count; so do the executions' passes, which the new round is not theirs to take, each with who triggered the
     * round it passed; who triggered the new round is the new arrival's, when it says.
     */
    public GateRecord reopened(GateSubject subject, Instant now) {
        List<ExecutionPass> passes = passOf(pipelineExecution).map(this::withPass).orElse(executionPasses);
        List<String> trigger = subject.triggeredBy().isEmpty() ? triggeredBy : subject.triggeredBy();
        String why = "not evaluated yet: brought back (" + subject.arrival() + ") after it was " + status;
        return new GateRecord(key, gate, subject.origin(), image, subject.tag() == null ? tag : subject.tag(),
                subject.pushedAt() == null ? pushedAt : subject.pushedAt(), trigger, GateStatus.WAITING, why, GateState.INITIAL, now, null,
                subject.origin() == GateOrigin.DEPLOY ? now : null, decisions, evaluations, null, createdAt, now, version + 1,
                subject.arrival(), subject.pipelineExecution(), passes);
    }

    /**
     * The passed round also answered the gate action of {@code execution}, which asked while it waited: its execution's
     * pass, from when the round passed.
     */
    public GateRecord passedFor(String execution, Instant now) {
        if (status != GateStatus.PASSED || lastEvaluatedAt == null) {
            throw new IllegalStateException("only a passed round passes an execution; " + key.id() + " is " + status);
        }
        return new GateRecord(key, gate, origin, image, tag, pushedAt, triggeredBy, status, reason, state, nextLook, lastEvaluatedAt,
                dueAt, decisions, evaluations, handoff, createdAt, now, version + 1, arrival, pipelineExecution,
                withPass(new ExecutionPass(execution, lastEvaluatedAt, triggeredBy)));
    }

    /** The pass a round of this release gave pipeline execution {@code execution}'s gate action, if one did. */
    public Optional<ExecutionPass> passOf(String execution) {
        if (execution == null) {
            return Optional.empty();
        }
        Optional<ExecutionPass> kept = executionPasses.stream().filter(p -> p.execution().equals(execution)).findFirst();
        if (kept.isPresent()) {
            return kept;
        }
        // Stored before passes were kept: the passed round's own execution is the one it passed.
        return status == GateStatus.PASSED && execution.equals(pipelineExecution) && lastEvaluatedAt != null
                ? Optional.of(new ExecutionPass(execution, lastEvaluatedAt, triggeredBy))
                : Optional.empty();
    }

    private List<ExecutionPass> withPass(ExecutionPass pass) {
        List<ExecutionPass> passes = new ArrayList<>(executionPasses);
        passes.removeIf(p -> p.execution().equals(pass.execution()));
        passes.add(pass);
        return passes.size() > MAX_EXECUTION_PASSES ? passes.subList(passes.size() - MAX_EXECUTION_PASSES, passes.size()) : passes;
    }

    /** Whether a decision was recorded after the checks last ran: the stored answer may be out of date. */
    public boolean decidedSinceLastEvaluation() {
        return lastEvaluatedAt == null || decisions.stream().anyMatch(d -> d.at().isAfter(lastEvaluatedAt));
    }
}
