package dev.gantry.core.rebuild;

import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The durable record of one dependent's rebuild on one base digest: the unit the ledger makes happen once, the
 * bounded slots count, and reports show. Records are replaced, never edited: each change is a new record one
 * {@code version} on, written conditionally on the version read.
 *
 * @param key the dependent, base digest and occasion
 * @param baseRepository the repository of the base the dependent is built FROM
 * @param baseImage the new base as the build receives it: {@code <registry>/<repository>@sha256:...}
 * @param target the CodeBuild project or pipeline that rebuilds the dependent
 * @param produces the repository the rebuilt image is pushed to
 * @param root the run the cascade began with: this record's own run in its first wave, an ancestor's after
 * @param wave which wave below {@code root} this rebuild is in, from 1
 * @param status where it stands
 * @param buildId the started build or pipeline execution; null until started
 * @param attempts how many times a start was attempted
 * @param reason why it stands where it does, as a person reads it; null when nothing needs saying
 * @param leaseUntil while {@link RebuildStatus#STARTING}: until when the invocation starting it may; after that,
 *     another may take over (the first died between taking the slot and recording the build)
 * @param trigger what asked for the rebuild, as a person reads it ("ECR push", "manual by U012ALICE: CVE-2026-1234")
 * @param createdAt when it was enqueued; pending rebuilds start oldest first
 * @param updatedAt when it last changed
 * @param version 0 when created, one more per change
 */
public record Rebuild(
        RebuildKey key,
        String baseRepository,
        String baseImage,
        BuildTarget target,
        String produces,
        RunKey root,
        int wave,
        RebuildStatus status,
        String buildId,
        int attempts,
        String reason,
        Instant leaseUntil,
        String trigger,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    /**
     * Which of two rebuilds of one dependent was planned later: by {@code createdAt}, ties by base digest, then by
     * occasion. A dependent's rebuild on another base digest planned after this one supersedes it.
     */
    public static final Comparator<Rebuild> PLANNING_ORDER = Comparator.comparing(Rebuild::createdAt)
            .thenComparing(r -> r.key().baseDigest().value())
            .thenComparing(r -> r.key().occasion());

    public Rebuild {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(baseRepository, "baseRepository");
        Objects.requireNonNull(baseImage, "baseImage");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (wave < 1) {
            throw new IllegalArgumentException("waves count from 1, not " + wave);
        }
    }

    /** A rebuild waiting for its first slot. */
    public static Rebuild pending(RebuildKey key, String baseRepository, String baseImage, BuildTarget target, String produces,
            RunKey root, int wave, String trigger, Instant now) {
        return new Rebuild(key, baseRepository, baseImage, target, produces, root, wave, RebuildStatus.PENDING, null, 0, null,
                null, trigger, now, now, 0);
    }

    /** The run this rebuild belongs to: its base repository and digest, on its occasion. */
    public RunKey run() {
        return new RunKey(baseRepository, key.baseDigest(), key.occasion());
    }

    public String dependent() {
        return key.dependent();
    }

    /** Leased to the caller until {@code leaseUntil}, counting one more attempt. */
    public Rebuild starting(Instant leaseUntil, Instant now) {
        return new Rebuild(key, baseRepository, baseImage, target, produces, root, wave, RebuildStatus.STARTING, null,
                attempts + 1, null, leaseUntil, trigger, createdAt, now, version + 1);
    }

    public Rebuild started(String buildId, Instant now) {
        return new Rebuild(key, baseRepository, baseImage, target, produces, root, wave, RebuildStatus.STARTED, buildId,
                attempts, null, null, trigger, createdAt, now, version + 1);
    }

    /** In {@code status} (anything but starting or started) with {@code reason}; the build id, if any, is kept. */
    public Rebuild settled(RebuildStatus status, String reason, Instant now) {
        if (status.inFlight()) {
            throw new IllegalArgumentException("a settled rebuild holds no slot; " + status + " does");
        }
        return new Rebuild(key, baseRepository, baseImage, target, produces, root, wave, status, buildId, attempts, reason,
                null, trigger, createdAt, now, version + 1);
    }

    /** Starting, but the invocation that leased it is past its lease: presumed dead. */
    public boolean isStalled(Instant now) {
        return status == RebuildStatus.STARTING && leaseUntil != null && leaseUntil.isBefore(now);
    }
}
