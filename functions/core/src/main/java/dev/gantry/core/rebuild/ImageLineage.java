package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.Objects;

/**
 * Which base digest a child image was built on: what revocation asks (the children of a revoked digest) and what
 * the lineage report shows (how far behind the newest base a child is).
 *
 * @param repository the child image's repository
 * @param digest the child image's digest
 * @param baseRepository the repository of the base it was built on
 * @param baseDigest the digest of the base it was built on
 * @param source how Gantry knows
 * @param recordedAt when Gantry learnt it
 */
public record ImageLineage(String repository, ImageDigest digest, String baseRepository, ImageDigest baseDigest,
        Source source, Instant recordedAt) {

    public ImageLineage {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(baseRepository, "baseRepository");
        Objects.requireNonNull(baseDigest, "baseDigest");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }

    public enum Source {
        /** The image's own OCI labels ({@link ImageLabels#BASE_DIGEST}). */
        LABELS
    }
}
