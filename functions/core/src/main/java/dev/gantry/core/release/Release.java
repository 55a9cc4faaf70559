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
        Instant updatedAt) {

    public Release {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
