package dev.gantry.core.gate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A gate's decision in one evaluation, with the state to store for the next one.
 *
 * @param gate the gate's name
 * @param outcome what the gate decided
 * @param reason one line a person can read: why it passed, what it waits for, which check failed
 * @param nextLook when to evaluate again; set only for {@link Outcome#WAITING}, never later than the timeout
 * @param checks every check's answer in this evaluation, evidence included, for the audit trail
 * @param state what to store and hand to the next evaluation
 */
public record GateVerdict(String gate, Outcome outcome, String reason, Instant nextLook, List<CheckResult> checks, GateState state) {

    public GateVerdict {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(state, "state");
        checks = List.copyOf(checks);
        if ((outcome == Outcome.WAITING) != (nextLook != null)) {
            throw new IllegalArgumentException("a next look belongs to a waiting gate, and only to one");
        }
    }

    /** What a gate can decide. */
    public enum Outcome {
        /** Every check passed and kept passing for {@code minSteady}: the release may enter. */
        PASSED,
        /** Not yet: evaluate again at {@link GateVerdict#nextLook()}. */
        WAITING,
        /** A check refused the release. */
        FAILED,
        /** The gate waited for its whole timeout without passing; fails the release. */
        TIMED_OUT;

        /** Whether this outcome ends the release in this environment as failed. */
        public boolean failsRelease() {
            return this == FAILED || this == TIMED_OUT;
        }
    }
}
