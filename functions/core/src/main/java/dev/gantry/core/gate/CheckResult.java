package dev.gantry.core.gate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one gate check answered in one evaluation: {@link Pass}, {@link Wait} or {@link Fail}.
 *
 * <p>Every answer names its check and carries evidence: short, human-readable lines (which alarms were in
 * which state, which freeze window applied, who approved which digest) kept with the release so an auditor
 * can see why the gate decided as it did. Evidence is never null; absent evidence is an empty list.
 *
 * <p>Errors: a blank check name, a null reason or a null next look throw
 * {@link IllegalArgumentException} or {@link NullPointerException} at construction.
 */
public sealed interface CheckResult permits CheckResult.Pass, CheckResult.Wait, CheckResult.Fail {

    /** The check's name as shown in evidence and in Slack, e.g. {@code approvals} or {@code freeze}. */
    String check();

    /** Why the check answered as it did, one line each. */
    List<String> evidence();

    static Pass pass(String check, List<String> evidence) {
        return new Pass(check, evidence);
    }

    static Wait waitUntil(String check, String reason, Instant nextLook, List<String> evidence) {
        return new Wait(check, reason, nextLook, evidence, false);
    }

    /**
     * A wait because the check could not learn what it needs (a service unreachable, an answer missing): not a "not
     * yet" but an "unknown", which a gate's timeout fails and never lets through, whatever its {@code onTimeout}.
     */
    static Wait unanswered(String check, String reason, Instant nextLook, List<String> evidence) {
        return new Wait(check, reason, nextLook, evidence, true);
    }

    static Fail fail(String check, String reason, List<String> evidence) {
        return new Fail(check, reason, evidence);
    }

    /** The check allows the release now. */
    record Pass(String check, List<String> evidence) implements CheckResult {
        public Pass {
            check = requireName(check);
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }
    }

    /**
     * The check does not allow the release yet, but may later. A wait never fails a release by itself;
     * only the gate's timeout turns waiting into failure.
     *
     * @param reason what the check is waiting for, e.g. {@code 1 of 2 approvals}
     * @param nextLook when the answer may change by the passing of time alone (a window closes, an approval
     *     expires, soak completes); {@link Instant#MAX} when only an outside event can change it (a new
     *     approval). The gate never looks later than its timeout, so {@code MAX} is safe
     * @param unanswered the check could not tell (see {@link #unanswered}); false for a real "not yet"
     */
    record Wait(String check, String reason, Instant nextLook, List<String> evidence, boolean unanswered) implements CheckResult {
        public Wait {
            check = requireName(check);
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(nextLook, "nextLook");
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }
    }

    /** The check refuses the release; the gate fails whatever the other checks say. */
    record Fail(String check, String reason, List<String> evidence) implements CheckResult {
        public Fail {
            check = requireName(check);
            Objects.requireNonNull(reason, "reason");
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }
    }

    private static String requireName(String check) {
        if (check == null || check.isBlank()) {
            throw new IllegalArgumentException("a check result needs the check's name");
        }
        return check;
    }
}
