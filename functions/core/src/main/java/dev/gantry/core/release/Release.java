package dev.gantry.core.release;

import java.time.Instant;
import java.util.List;

/**
 * The record of one release: what was deployed where, from what, by which event, and how far it got.
 *
 * @param key service, environment and digest
 * @param tag the tag that was pushed
 * @param image the digest-pinned image the service was moved to
 * @param eventId the event that started it
 * @param status how far it got
 * @param previousTaskDefinitionArn what the service ran before
 * @param taskDefinitionArn the revision registered for it; null until registered
 * @param changes readable lines, one per changed container ({@code app: repo:1.2.3 -> repo@sha256:...})
 * @param owner the invocation holding the lease
 * @param leaseUntil until when {@code owner} may work on it undisturbed
 * @param createdAt first claim
 * @param updatedAt last change
 * @param rolloutStatus how the ECS rollout went; null until the service was updated
 * @param rolloutReason what ECS said about the rollout's end, e.g. the circuit breaker's reason
 * @param pushedAt when the image was pushed, if the trigger said; orders releases whose tags do not
 */
public record Release(
        ReleaseKey key,
        String tag,
        String image,
        String eventId,
        ReleaseStatus status,
        String previousTaskDefinitionArn,
        String taskDefinitionArn,
        List<String> changes,
        String owner,
        Instant leaseUntil,
        Instant createdAt,
        Instant updatedAt,
        RolloutStatus rolloutStatus,
        String rolloutReason,
        Instant pushedAt) {

    public Release {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public Release leasedTo(String newOwner, Instant newLeaseUntil, Instant now) {
        return new Release(key, tag, image, eventId, status, previousTaskDefinitionArn, taskDefinitionArn, changes, newOwner,
                newLeaseUntil, createdAt, now, rolloutStatus, rolloutReason, pushedAt);
    }

    public Release registered(String previous, String registered, List<String> newChanges, Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.REGISTERED, previous, registered, newChanges, owner, leaseUntil,
                createdAt, now, rolloutStatus, rolloutReason, pushedAt);
    }

    /** The service was updated: the lease ends and ECS's rollout begins. */
    public Release serviceUpdated(Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.SERVICE_UPDATED, previousTaskDefinitionArn, taskDefinitionArn,
                changes, owner, null, createdAt, now, RolloutStatus.PENDING, null, pushedAt);
    }

    public Release rollout(RolloutStatus newStatus, String reason, Instant now) {
        return new Release(key, tag, image, eventId, status, previousTaskDefinitionArn, taskDefinitionArn, changes, owner, leaseUntil,
                createdAt, now, newStatus, reason, pushedAt);
    }

    /** A release about to be claimed: nothing achieved yet. */
    public static Release proposed(ReleaseKey key, String tag, String image, String eventId, String owner, Instant leaseUntil, Instant now) {
        return proposed(key, tag, image, eventId, null, owner, leaseUntil, now);
    }

    public static Release proposed(ReleaseKey key, String tag, String image, String eventId, Instant pushedAt, String owner,
            Instant leaseUntil, Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.CLAIMED, null, null, List.of(), owner, leaseUntil, now, now, null,
                null, pushedAt);
    }

    /** Whether this release is what its environment runs, as far as Gantry knows: deployed and not undone. */
    public boolean isRunning() {
        return status == ReleaseStatus.SERVICE_UPDATED && rolloutStatus != RolloutStatus.ROLLED_BACK && rolloutStatus != RolloutStatus.FAILED;
    }
}
