package dev.gantry.core.gate;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision a person recorded on a release, as stored: approvals are of a digest, never of a tag,
 * because a tag can be moved to different bytes after someone looked at it.
 *
 * @param userId the Slack user id of the person
 * @param at when the decision was recorded
 * @param digest the image digest the person decided on
 * @param decision approve, reject or break the freeze
 * @param comment why, as the person wrote it; may be null
 */
public record Approval(String userId, Instant at, ImageDigest digest, Decision decision, String comment) {

    public Approval {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(decision, "decision");
    }

    /**
     * What a person decided. {@code BREAK_GLASS} lets a release through a change freeze when two allowed
     * approvers give it, each with a reason; it approves nothing else.
     */
    public enum Decision { APPROVE, REJECT, BREAK_GLASS }
}
