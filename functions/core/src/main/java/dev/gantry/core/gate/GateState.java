package dev.gantry.core.gate;

/**
 * What a gate remembers between two evaluations of the same release, stored with the release.
 *
 * @param passingSince when every check started passing without interruption; null while any check does not
 *     pass, because a single wait or failure restarts the {@code minSteady} clock
 * @param waitingSince when the gate first evaluated this release; the timeout counts from here. Null only
 *     before the first evaluation ({@link #INITIAL})
 */
public record GateState(java.time.Instant passingSince, java.time.Instant waitingSince) {

    /** The state before a gate has evaluated a release for the first time. */
    public static final GateState INITIAL = new GateState(null, null);
}
