package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The order in which Gantry saw base versions and child images, which the lineage report needs and
 * {@link RebuildLedger} cannot answer: the ledger finds lineage by child or base digest, never lists a repository's.
 *
 * <p>First sightings stay: recording a digest again changes nothing. Lists are oldest first. Implementations
 * translate their own failures into {@link LineageHistoryException}.
 */
public interface LineageHistory {

    /** A version of a base image, first seen at {@code seenAt}. */
    record BaseVersion(String baseName, ImageDigest digest, Instant seenAt) {
        public BaseVersion {
            Objects.requireNonNull(baseName, "baseName");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(seenAt, "seenAt");
        }
    }

    /** Remembers that base image {@code baseName} (a configured base's name) had digest {@code digest} at {@code seenAt}. */
    void recordBaseVersion(BaseVersion version);

    /** The versions of base image {@code baseName}, oldest first. */
    List<BaseVersion> baseVersions(String baseName);

    /** Remembers a child image and the base it was built on. */
    void recordChild(ImageLineage lineage);

    /** The child images pushed to {@code repository} whose base Gantry knows, oldest first. */
    List<ImageLineage> children(String repository);

    class LineageHistoryException extends RuntimeException {
        public LineageHistoryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
