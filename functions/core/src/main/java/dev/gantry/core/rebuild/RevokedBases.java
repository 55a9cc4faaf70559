package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Base image digests that must no longer be built on or deployed, kept so that an image built on one after the
 * revocation (a build already running, a developer's push) is refused too.
 *
 * <p>A revocation is never edited: revoking a digest again keeps the first record, with its person and reason.
 * Implementations translate their own failures into {@link RevokedBasesException}.
 */
public interface RevokedBases {

    /**
     * One revoked base digest.
     *
     * @param repository the base image's repository
     * @param digest the revoked digest
     * @param revokedBy who revoked it, as Slack or the script names them
     * @param reason why, as a person reads it (a CVE, a broken build)
     * @param revokedAt when
     */
    record RevokedBase(String repository, ImageDigest digest, String revokedBy, String reason, Instant revokedAt) {
        public RevokedBase {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(revokedBy, "revokedBy");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(revokedAt, "revokedAt");
        }

        /** As people read it: {@code golden/java21 sha256:0123456789ab}. */
        public String describe() {
            return repository + " sha256:" + digest.shortForm();
        }
    }

    /** Records the revocation. @return false when the digest was revoked already (the first record stays) */
    boolean revoke(RevokedBase revoked);

    Optional<RevokedBase> find(String repository, ImageDigest digest);

    default boolean isRevoked(String repository, ImageDigest digest) {
        return find(repository, digest).isPresent();
    }

    /** Every revocation, oldest first. */
    List<RevokedBase> list();

    class RevokedBasesException extends RuntimeException {
        public RevokedBasesException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
