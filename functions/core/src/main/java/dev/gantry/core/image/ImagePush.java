package dev.gantry.core.image;

import java.time.Instant;

/**
 * An image action in an ECR registry, as Gantry needs it. Fields are as the event carried them: a
 * push may be untagged ({@code tag} null), and the digest is checked only when something is deployed,
 * so that events Gantry ignores are never rejected for their contents.
 *
 * @param eventId the event's id, used to correlate logs before a release exists
 * @param account the registry's AWS account
 * @param region the registry's region
 * @param repository repository name
 * @param tag the pushed tag, or null for an untagged push
 * @param digest the digest as the event gave it
 * @param action {@code PUSH} or {@code DELETE}
 * @param result {@code SUCCESS} or {@code FAILURE}
 * @param time when the registry saw it
 */
public record ImagePush(
        String eventId,
        String account,
        String region,
        String repository,
        String tag,
        String digest,
        String action,
        String result,
        Instant time) {

    public boolean isSuccessfulPush() {
        return "PUSH".equals(action) && "SUCCESS".equals(result);
    }
}
