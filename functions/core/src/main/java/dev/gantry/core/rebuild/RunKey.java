package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.util.Objects;

/**
 * One rebuild run: the direct dependents of a base repository rebuilt on one of its digests, for one occasion (see
 * {@link RebuildKey}). A chain is several runs: the runtime image's push starts the run of the runtime's dependents.
 */
public record RunKey(String baseRepository, ImageDigest baseDigest, String occasion) {

    public RunKey {
        Objects.requireNonNull(baseRepository, "baseRepository");
        Objects.requireNonNull(baseDigest, "baseDigest");
        Objects.requireNonNull(occasion, "occasion");
    }

    /** As people read it: {@code golden/java21 sha256:0123456789ab}. */
    public String describe() {
        return baseRepository + " sha256:" + baseDigest.shortForm();
    }
}
