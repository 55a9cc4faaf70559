package dev.gantry.reliability.fuzzing;

/**
 * What one handler made of one event.
 *
 * @param reason why it was rejected, or what went wrong; null when accepted
 * @param mustName whether the reason is a validation error's message, which has to name what was wrong; an HTTP refusal
 *     or a pipeline job's failure says why in its own terms
 * @param failure the exception behind an unhandled outcome, when there was one
 */
record Outcome(Verdict verdict, String reason, boolean mustName, Throwable failure) {

    enum Verdict { ACCEPTED, REJECTED, UNHANDLED }

    static Outcome accepted() {
        return new Outcome(Verdict.ACCEPTED, null, false, null);
    }

    /** A validation error: its message must name what was wrong. */
    static Outcome invalid(String message) {
        return new Outcome(Verdict.REJECTED, message, true, null);
    }

    /** A refusal in the handler's own terms (an HTTP status, a failed pipeline job, a FAILED hook answer). */
    static Outcome refused(String reason) {
        return new Outcome(Verdict.REJECTED, reason, false, null);
    }

    static Outcome unhandled(String what, Throwable failure) {
        return new Outcome(Verdict.UNHANDLED, what, false, failure);
    }
}
