package dev.gantry.core.rebuild;

/** Where one dependent's rebuild stands. */
public enum RebuildStatus {
    /** Waiting for a build slot. */
    PENDING,
    /** Holds a slot; an invocation leased it to start the build, and may have died doing so. */
    STARTING,
    /** The build runs. */
    STARTED,
    SUCCEEDED,
    FAILED,
    /** Not rebuilt, on purpose: its base digest was revoked. */
    BLOCKED,
    /**
     * Not started, on purpose: a rebuild of the same dependent on another digest of its base was planned after it, so
     * this one would only build a stale image (decision 12).
     */
    SUPERSEDED;

    /** Holds one of the bounded build slots. */
    public boolean inFlight() {
        return this == STARTING || this == STARTED;
    }

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == BLOCKED || this == SUPERSEDED;
    }
}
