package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.util.Objects;

/**
 * What makes a rebuild one: the dependent, the base digest it is rebuilt on, and the occasion. Every new base
 * version, however it is announced (an ECR push, the Image Builder image behind it, a repeated event), is the
 * occasion {@link #ON_NEW_BASE}, so it rebuilds each dependent once. A scheduled or manual rebuild of an unchanged
 * base is an occasion of its own, named by its schedule time or request, so that a repeated delivery of the same one
 * still rebuilds once.
 *
 * @param dependent the dependent's name, unique in the configuration
 * @param baseDigest the base image digest the dependent is rebuilt on
 * @param occasion {@link #ON_NEW_BASE}, or {@code schedule@<instant>}, or {@code manual@<request id>}
 */
public record RebuildKey(String dependent, ImageDigest baseDigest, String occasion) {

    public static final String ON_NEW_BASE = "new-base";

    public RebuildKey {
        Objects.requireNonNull(dependent, "dependent");
        Objects.requireNonNull(baseDigest, "baseDigest");
        Objects.requireNonNull(occasion, "occasion");
    }
}
