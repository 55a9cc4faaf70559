package dev.gantry.core.release;

/** How far a release has got. The order matters: a release only moves forward. */
public enum ReleaseStatus {
    /** An invocation holds the lease and is working on it. */
    CLAIMED,
    /** The new task-definition revision exists; the service may not point at it yet. */
    REGISTERED,
    /** The service was told to roll to the new revision. */
    SERVICE_UPDATED
}
