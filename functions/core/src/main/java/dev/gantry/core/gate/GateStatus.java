package dev.gantry.core.gate;

/** Where a release stands at its gate. Only {@link #WAITING} ever changes again. */
public enum GateStatus {
    /** Not decided yet: looked at again until its checks pass, one fails, or the timeout passes. */
    WAITING,
    /** Every check passed: the release may enter the environment. */
    PASSED,
    /** A check refused the release. */
    FAILED,
    /** The gate's timeout passed without the checks passing. */
    TIMED_OUT,
    /** A newer digest arrived at the same environment's gate and took this one's place. */
    SUPERSEDED;

    public boolean decided() {
        return this != WAITING;
    }
}
