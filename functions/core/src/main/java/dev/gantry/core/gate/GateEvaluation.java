package dev.gantry.core.gate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One answer a gate gave, kept with the release as evidence. Identical answers in a row are kept once with
 * their count and the span they covered, so a release that waited a day keeps every distinct step of its
 * wait without a record per minute.
 *
 * @param firstAt when the gate first gave this answer
 * @param lastAt when it last gave it
 * @param times how many evaluations gave it
 * @param outcome what the gate decided
 * @param reason the gate's one-line reason
 * @param checks each check's answer with its evidence
 */
public record GateEvaluation(Instant firstAt, Instant lastAt, int times, GateVerdict.Outcome outcome, String reason,
        List<CheckSummary> checks) {

    public GateEvaluation {
        Objects.requireNonNull(firstAt, "firstAt");
        Objects.requireNonNull(lastAt, "lastAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    public static GateEvaluation of(GateVerdict verdict, Instant at) {
        return new GateEvaluation(at, at, 1, verdict.outcome(), verdict.reason(),
                verdict.checks().stream().map(CheckSummary::of).toList());
    }

    /** Whether {@code other} says the same as this one, whenever it was given. */
    public boolean sameAnswerAs(GateEvaluation other) {
        return outcome == other.outcome && reason.equals(other.reason) && checks.equals(other.checks);
    }

    public GateEvaluation repeatedAt(Instant at) {
        return new GateEvaluation(firstAt, at, times + 1, outcome, reason, checks);
    }

    /**
     * @param check the check's name
     * @param verdict PASS, WAIT or FAIL
     * @param reason why it waits or fails; null for a pass
     * @param evidence its evidence lines
     */
    public record CheckSummary(String check, String verdict, String reason, List<String> evidence) {
        public CheckSummary {
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }

        /** Evidence lines kept per check: a prefix matching hundreds of alarms must not outgrow the 400 KB record. */
        static final int MAX_EVIDENCE_LINES = 25;
        static final int MAX_LINE_LENGTH = 300;

        static CheckSummary of(CheckResult result) {
            return switch (result) {
                case CheckResult.Pass pass -> new CheckSummary(pass.check(), "PASS", null, bounded(pass.evidence()));
                case CheckResult.Wait wait -> new CheckSummary(wait.check(), "WAIT", clip(wait.reason()), bounded(wait.evidence()));
                case CheckResult.Fail fail -> new CheckSummary(fail.check(), "FAIL", clip(fail.reason()), bounded(fail.evidence()));
            };
        }

        private static List<String> bounded(List<String> evidence) {
            // A loop, not a stream: this runs for every check of every evaluation, under C1 (see GateEngine.decide).
            List<String> kept = new java.util.ArrayList<>(Math.min(evidence.size(), MAX_EVIDENCE_LINES + 1));
            for (int i = 0; i < evidence.size() && i < MAX_EVIDENCE_LINES; i++) {
                kept.add(clip(evidence.get(i)));
            }
            if (evidence.size() > MAX_EVIDENCE_LINES) {
                kept.add("... and " + (evidence.size() - MAX_EVIDENCE_LINES) + " more lines");
            }
            return kept;
        }

        private static String clip(String line) {
            return line == null || line.length() <= MAX_LINE_LENGTH ? line : line.substring(0, MAX_LINE_LENGTH - 1) + "…";
        }
    }
}
