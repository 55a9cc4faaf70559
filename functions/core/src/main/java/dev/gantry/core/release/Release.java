package dev.gantry.core.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one release: what was deployed where, from what, by which event, and how far it got.
 *
 * @param key service, environment and digest
 * @param tag the tag that was pushed
 * @param image the digest-pinned image the service was moved to
 * @param eventId the event that started its latest deploy
 * @param status how far its latest deploy got
 * @param previousTaskDefinitionArn what the service ran before
 * @param taskDefinitionArn the revision registered for it; null until registered
 * @param changes readable lines, one per changed container ({@code app: repo:1.2.3 -> repo@sha256:...})
 * @param owner the invocation holding the lease
 * @param leaseUntil until when {@code owner} may work on it undisturbed
 * @param createdAt first claim; a redeploy keeps it
 * @param updatedAt last change
 * @param rolloutStatus how the ECS rollout went; null until the service was updated
 * @param rolloutReason what ECS said about the rollout's end, e.g. the circuit breaker's reason
 * @param pushedAt when the image was pushed, if the trigger said; orders releases whose tags do not
 * @param redeployedAt when it was last claimed to be deployed again (a rollback to it); null when it never was
 * @param earlierDeploys one readable line per deploy before the latest, oldest first ({@link #deploySummary()}); empty
 *     unless redeployed
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
        Instant pushedAt,
        Instant redeployedAt,
        List<String> earlierDeploys) {

    public Release {
        changes = changes == null ? List.of() : List.copyOf(changes);
        earlierDeploys = earlierDeploys == null ? List.of() : List.copyOf(earlierDeploys);
    }

    /** A release deployed once, as every release was before redeploys existed. */
    public Release(ReleaseKey key, String tag, String image, String eventId, ReleaseStatus status, String previousTaskDefinitionArn,
            String taskDefinitionArn, List<String> changes, String owner, Instant leaseUntil, Instant createdAt, Instant updatedAt,
            RolloutStatus rolloutStatus, String rolloutReason, Instant pushedAt) {
        this(key, tag, image, eventId, status, previousTaskDefinitionArn, taskDefinitionArn, changes, owner, leaseUntil, createdAt, updatedAt,
                rolloutStatus, rolloutReason, pushedAt, null, List.of());
    }

    public Release leasedTo(String newOwner, Instant newLeaseUntil, Instant now) {
        return new Release(key, tag, image, eventId, status, previousTaskDefinitionArn, taskDefinitionArn, changes, newOwner,
                newLeaseUntil, createdAt, now, rolloutStatus, rolloutReason, pushedAt, redeployedAt, earlierDeploys);
    }

    public Release registered(String previous, String registered, List<String> newChanges, Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.REGISTERED, previous, registered, newChanges, owner, leaseUntil,
                createdAt, now, rolloutStatus, rolloutReason, pushedAt, redeployedAt, earlierDeploys);
    }

    /** The service was updated: the lease ends and ECS's rollout begins. */
    public Release serviceUpdated(Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.SERVICE_UPDATED, previousTaskDefinitionArn, taskDefinitionArn,
                changes, owner, null, createdAt, now, RolloutStatus.PENDING, null, pushedAt, redeployedAt, earlierDeploys);
    }

    public Release rollout(RolloutStatus newStatus, String reason, Instant now) {
        return new Release(key, tag, image, eventId, status, previousTaskDefinitionArn, taskDefinitionArn, changes, owner, leaseUntil,
                createdAt, now, newStatus, reason, pushedAt, redeployedAt, earlierDeploys);
    }

    /**
     * This finished release, claimed to be deployed again for {@code newEventId}: the deploy it records becomes a line of
     * {@link #earlierDeploys()}, and the new one starts from {@link ReleaseStatus#CLAIMED} with nothing registered, so it
     * registers its own revision instead of mistaking the old one for work already done.
     */
    public Release redeployClaimed(String newEventId, String newOwner, Instant newLeaseUntil, Instant now) {
        List<String> earlier = new ArrayList<>(earlierDeploys);
        earlier.add(deploySummary());
        return new Release(key, tag, image, newEventId, ReleaseStatus.CLAIMED, null, null, List.of(), newOwner, newLeaseUntil, createdAt,
                now, null, null, pushedAt, now, earlier);
    }

    /** A release about to be claimed: nothing achieved yet. */
    public static Release proposed(ReleaseKey key, String tag, String image, String eventId, String owner, Instant leaseUntil, Instant now) {
        return proposed(key, tag, image, eventId, null, owner, leaseUntil, now);
    }

    public static Release proposed(ReleaseKey key, String tag, String image, String eventId, Instant pushedAt, String owner,
            Instant leaseUntil, Instant now) {
        return new Release(key, tag, image, eventId, ReleaseStatus.CLAIMED, null, null, List.of(), owner, leaseUntil, now, now, null,
                null, pushedAt, null, List.of());
    }

    /** Whether this release is what its environment runs, as far as Gantry knows: deployed and not undone. */
    public boolean isRunning() {
        return status == ReleaseStatus.SERVICE_UPDATED && rolloutStatus != RolloutStatus.ROLLED_BACK && rolloutStatus != RolloutStatus.FAILED;
    }

    /**
     * When the environment last began moving to this release: its first claim, or its latest redeploy. Releases are
     * ordered by it, so a release rolled back to counts as newer than the one it replaced.
     */
    public Instant enteredAt() {
        return redeployedAt != null ? redeployedAt : createdAt;
    }

    /**
     * Whether a request with {@code requestEventId} may claim this release to deploy it again: its deploy finished and
     * its rollout ended, and the request is not the one that deployed it. A retry of that request, or a look while ECS
     * is still rolling it out, finds it done instead.
     */
    public boolean redeployableFor(String requestEventId) {
        return status == ReleaseStatus.SERVICE_UPDATED && rolloutStatus != null && rolloutStatus.isFinal()
                && requestEventId != null && !requestEventId.equals(eventId);
    }

    /** The deploy this record holds, in one line: {@code 2026-11-23T10:00:00Z event-1: arn:...:2, rollout COMPLETED}. */
    public String deploySummary() {
        return enteredAt() + " " + eventId + ": " + taskDefinitionArn + ", rollout " + rolloutStatus;
    }
}
