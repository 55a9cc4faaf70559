package dev.gantry.core.rebuild;

import java.util.List;
import java.util.stream.Stream;

/**
 * What one rebuild trigger or build event led to: a summary line and a line per dependent, as plain values that the
 * log and the Slack notifier each render their own way.
 *
 * @param result whether anything was planned
 * @param trigger what asked, as a person reads it
 * @param run the run this call worked on; null when it was ignored
 * @param root the run the cascade began with (this run in wave 1); null when ignored
 * @param images how many images a change of the root rebuilds, every wave counted
 * @param wave which wave this run is, from 1; 0 when ignored
 * @param waves how many waves below the root
 * @param outcomes per dependent of this run, what happened
 * @param note why it was ignored or what went wrong upstream; null otherwise
 * @param otherRuns what the call did to rebuilds of other runs (an older base digest's rebuilds it superseded, a
 *     pending rebuild of another run a freed slot started), one report per run, so that each is told where its own
 *     run is followed; empty for the resume sweep, whose outcomes span runs already
 */
public record RebuildReport(Result result, String trigger, RunKey run, RunKey root, int images, int wave, int waves,
        List<RebuildOutcome> outcomes, String note, List<RebuildReport> otherRuns) {

    public enum Result {
        /** Rebuilds were planned or advanced; the outcomes say which. */
        REBUILDING,
        /** Nothing to rebuild; the note says why. */
        IGNORED,
        /** The base image itself failed to build (EC2 Image Builder); nothing is rebuilt. */
        BASE_FAILED
    }

    public RebuildReport {
        outcomes = outcomes == null ? List.of() : List.copyOf(outcomes);
        otherRuns = otherRuns == null ? List.of() : List.copyOf(otherRuns);
    }

    /** A report that touched no other run. */
    public RebuildReport(Result result, String trigger, RunKey run, RunKey root, int images, int wave, int waves,
            List<RebuildOutcome> outcomes, String note) {
        this(result, trigger, run, root, images, wave, waves, outcomes, note, List.of());
    }

    static RebuildReport ignored(String trigger, String note) {
        return new RebuildReport(Result.IGNORED, trigger, null, null, 0, 0, 0, List.of(), note);
    }

    /** {@code golden/java21 sha256:0123456789ab -> rebuilding 14 images, wave 1 of 2}. */
    public String summary() {
        return switch (result) {
            case IGNORED -> "nothing to rebuild: " + note;
            case BASE_FAILED -> note;
            case REBUILDING -> run == null
                    ? "rebuild queue: " + outcomes.size() + (outcomes.size() == 1 ? " rebuild" : " rebuilds") + " moved on"
                    : root.describe() + " -> rebuilding " + images + (images == 1 ? " image" : " images")
                    + ", wave " + wave + " of " + waves
                    + (run.equals(root) ? "" : " (" + run.describe() + ")");
        };
    }

    /** The summary, then one line per dependent; then the same for each other run. */
    public List<String> lines() {
        return Stream.concat(Stream.concat(Stream.of(summary()), outcomes.stream().map(RebuildOutcome::line)),
                        otherRuns.stream().flatMap(other -> other.lines().stream()))
                .toList();
    }
}
