package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Decides a gate from its checks' answers: pure, with the time passed in and the memory handed back.
 *
 * <p>Precedence, highest first:
 * <ol>
 *   <li>{@link GateVerdict.Outcome#FAILED} when any check failed, even if others wait or the timeout passed:
 *       a refusal is the more specific reason;</li>
 *   <li>{@link GateVerdict.Outcome#FAILED} when there are no check answers at all: a gate that evaluated
 *       nothing must not let a release through (the configuration already requires at least one check, so
 *       this means the caller lost them);</li>
 *   <li>{@link GateVerdict.Outcome#PASSED} when every check passed and has kept passing for the gate's
 *       {@code minSteady} (default zero: at once), even at the timeout instant itself;</li>
 *   <li>{@link GateVerdict.Outcome#TIMED_OUT} when {@code now} is at or past the first evaluation plus the
 *       gate's {@code timeout} (default {@link GateConfig#DEFAULT_TIMEOUT}); this fails the release, unless the
 *       gate's {@code onTimeout} is {@code proceed} and what still waits is neither approvals nor a check that
 *       could not answer: then {@link GateVerdict.Outcome#PASSED}, saying so. A failed check is never overridden by
 *       the timeout action;</li>
 *   <li>a change freeze holding the release restarts the timeout at every evaluation that finds it held, so a
 *       freeze never fails a release by lasting longer than the timeout; a freeze source that could not be read
 *       does not, so an unreadable calendar times the release out rather than holding it unseen for good;</li>
 *   <li>otherwise {@link GateVerdict.Outcome#WAITING}, with the next look at the earliest of the waiting
 *       checks' next looks, the moment {@code minSteady} is reached, and the timeout. A wait never fails a
 *       release by itself.</li>
 * </ol>
 *
 * <p>Errors: null arguments throw {@link NullPointerException}.
 */
public final class GateEngine {

    /**
     * @param gate the gate's configuration: only its name, {@code minSteady} and {@code timeout} are read here
     * @param checks every check's answer in this evaluation
     * @param previous what the previous evaluation returned in {@link GateVerdict#state()}, or
     *     {@link GateState#INITIAL} for the first evaluation
     * @param now the evaluation time
     */
    public GateVerdict decide(GateConfig gate, List<CheckResult> checks, GateState previous, Instant now) {
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(now, "now");

        Instant waitingSince = previous.waitingSince() == null ? now : previous.waitingSince();
        Instant deadline = waitingSince.plus(gate.timeout());

        // One pass and plain joiners rather than streams: the functions run C1-compiled code (JAVA_TOOL_OPTIONS), which
        // does not remove a stream's pipeline objects as C2 does, and this runs for every check of every evaluation.
        StringJoiner failures = new StringJoiner("; ");
        StringJoiner waitingFor = new StringJoiner("; ");
        List<Instant> nextLooks = new ArrayList<>();
        boolean held = false;
        boolean waivable = true;
        for (CheckResult check : checks) {
            switch (check) {
                case CheckResult.Fail fail -> failures.add(fail.check() + ": " + fail.reason());
                case CheckResult.Wait wait -> {
                    waitingFor.add(wait.check() + ": " + wait.reason());
                    nextLooks.add(wait.nextLook());
                    held |= wait.check().equals(FreezeCheck.CHECK) && !wait.unanswered();
                    waivable &= !wait.unanswered() && !wait.check().equals(ApprovalPolicy.CHECK);
                }
                case CheckResult.Pass pass -> { }
            }
        }
        if (failures.length() > 0) {
            return verdict(gate, GateVerdict.Outcome.FAILED, failures.toString(), null, checks, new GateState(null, waitingSince));
        }
        if (checks.isEmpty()) {
            return verdict(gate, GateVerdict.Outcome.FAILED, "no checks were evaluated; a gate never passes on nothing",
                    null, checks, new GateState(null, waitingSince));
        }

        if (nextLooks.isEmpty()) {
            // No check waits. The steady clock survives between evaluations only while nothing interrupted it.
            Instant passingSince = previous.passingSince() == null ? now : previous.passingSince();
            Instant steadyAt = passingSince.plus(gate.minSteady());
            GateState state = new GateState(passingSince, waitingSince);
            if (!now.isBefore(steadyAt)) {
                String reason = gate.minSteady().isZero()
                        ? "all checks passed"
                        : "all checks passed and kept passing for " + gate.minSteady() + " since " + passingSince;
                return verdict(gate, GateVerdict.Outcome.PASSED, reason, null, checks, state);
            }
            if (!now.isBefore(deadline)) {
                return timedOut(gate, checks, state, deadline, "all checks pass but not yet for " + gate.minSteady(), true);
            }
            return verdict(gate, GateVerdict.Outcome.WAITING,
                    "all checks pass; steady at " + steadyAt + " after " + gate.minSteady(),
                    earliest(List.of(steadyAt, deadline), now), checks, state);
        }

        // A release held by a change freeze is not waiting for an answer, it is told to wait: the timeout counts from
        // the last evaluation that found it held, so a weekend freeze longer than the timeout never fails it.
        if (held) {
            waitingSince = now;
            deadline = now.plus(gate.timeout());
        }
        GateState state = new GateState(null, waitingSince);
        if (!now.isBefore(deadline)) {
            return timedOut(gate, checks, state, deadline, waitingFor.toString(), waivable);
        }
        nextLooks.add(deadline);
        return verdict(gate, GateVerdict.Outcome.WAITING, "waiting for " + waitingFor, earliest(nextLooks, now), checks, state);
    }

    /**
     * @param waivable whether {@code onTimeout: proceed} may let the release through: not when it still lacks approvals
     *     (people were asked to decide, and time passing is no decision) nor when a check could not answer (nobody knows
     *     what it would have said)
     */
    private static GateVerdict timedOut(GateConfig gate, List<CheckResult> checks, GateState state, Instant deadline, String stillWaiting,
            boolean waivable) {
        if (gate.onTimeout() == GateConfig.TimeoutAction.PROCEED && waivable) {
            return verdict(gate, GateVerdict.Outcome.PASSED, "waited " + gate.timeout() + " (until " + deadline + "); still "
                    + stillWaiting + ", and the gate is configured to proceed at its timeout", null, checks, state);
        }
        String notWaived = gate.onTimeout() == GateConfig.TimeoutAction.PROCEED
                ? "; onTimeout: proceed waives neither missing approvals nor a check that could not answer"
                : "";
        return verdict(gate, GateVerdict.Outcome.TIMED_OUT,
                "waited " + gate.timeout() + " (until " + deadline + ") and still " + stillWaiting + notWaived, null, checks, state);
    }

    private static GateVerdict verdict(GateConfig gate, GateVerdict.Outcome outcome, String reason, Instant nextLook,
            List<CheckResult> checks, GateState state) {
        return new GateVerdict(gate.name(), outcome, reason, nextLook, checks, state);
    }

    /** A next look in the past (a check that was late to answer) means: look again now, not back in time. */
    private static Instant earliest(List<Instant> candidates, Instant now) {
        Instant min = candidates.get(0);
        for (Instant candidate : candidates) {
            min = candidate.isBefore(min) ? candidate : min;
        }
        return min.isBefore(now) ? now : min;
    }
}
