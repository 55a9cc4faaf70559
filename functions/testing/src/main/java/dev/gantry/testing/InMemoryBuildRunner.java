package dev.gantry.testing;

import dev.gantry.core.rebuild.BuildRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A build service in memory: records every start, counts the builds running (started and not yet finished by the
 * test) and the most that ever ran at once, honours idempotency tokens as the services do, and fails on request.
 *
 * <p>CodeBuild honours a StartBuild token for {@link #CODEBUILD_TOKEN_WINDOW} only: a start with the same token after
 * that starts a second build, as it would in CodeBuild. A pipeline's token is honoured for good, CodePipeline documenting
 * no end to it. Time is the clock the runner is given; without one, the system clock, under which no token expires
 * within a test.
 */
public final class InMemoryBuildRunner implements BuildRunner {

    /** How long CodeBuild answers a repeated StartBuild token with the build it started (its API reference). */
    public static final Duration CODEBUILD_TOKEN_WINDOW = Duration.ofMinutes(5);

    /** One start as the service received it, at {@code at}. */
    public record Start(BuildTarget target, Map<String, String> variables, String idempotencyToken, String buildId, Instant at) {}

    private final Clock clock;
    private final List<Start> starts = new ArrayList<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> missingTargets = new HashSet<>();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    /** Whether each finished build succeeded. */
    private final Map<String, Boolean> outcomes = new HashMap<>();
    private int capacity = Integer.MAX_VALUE;
    private int failuresToThrow;
    private int answersToLose;
    private int lookupFailuresToThrow;
    private int lookups;
    private int peakRunning;

    public InMemoryBuildRunner() {
        this(Clock.systemUTC());
    }

    public InMemoryBuildRunner(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The build service refuses starts for want of capacity while {@code running} builds run. */
    public synchronized void givenAccountLimit(int running) {
        this.capacity = running;
    }

    /** {@code name} (a project or pipeline) does not exist. */
    public synchronized void givenMissingTarget(String name) {
        missingTargets.add(name);
    }

    /** The next {@code count} starts fail for a reason other than capacity or a missing target. */
    public synchronized void givenFailures(int count) {
        failuresToThrow = count;
    }

    /**
     * The next {@code count} starts start their build, but the caller never hears so: it gets a failure, as from a call
     * that timed out after the service had acted.
     */
    public synchronized void givenLostAnswers(int count) {
        answersToLose = count;
    }

    /** The next {@code count} looks for an earlier build fail: the service cannot be read. */
    public synchronized void givenLookupFailures(int count) {
        lookupFailuresToThrow = count;
    }

    @Override
    public synchronized String start(BuildTarget target, Map<String, String> variables, String idempotencyToken) {
        Instant now = clock.instant();
        Start earlier = latestStart(target, idempotencyToken);
        if (earlier != null && honours(earlier, now)) {
            return earlier.buildId();
        }
        if (missingTargets.contains(target.name())) {
            throw new BuildTargetNotFoundException("no " + target.kind() + " named " + target.name(), null);
        }
        if (failuresToThrow > 0) {
            failuresToThrow--;
            throw new BuildRunnerException("the build service answered 500", null);
        }
        if (running.size() >= capacity) {
            throw new CapacityExceededException("account limit of " + capacity + " concurrent builds reached", null);
        }
        int number = counters.merge(target.name(), 1, Integer::sum);
        String buildId = target.name() + ":" + number;
        starts.add(new Start(target, Map.copyOf(variables), idempotencyToken, buildId, now));
        running.add(buildId);
        peakRunning = Math.max(peakRunning, running.size());
        if (answersToLose > 0) {
            answersToLose--;
            throw new BuildRunnerException("the answer to starting " + target.name() + " was lost: read timed out", null);
        }
        return buildId;
    }

    /**
     * As the SDK adapter answers: for a CodeBuild project, the newest build started with the token at or after
     * {@code since}, running or as it ended; for a pipeline, nothing, its executions carrying no mark.
     */
    @Override
    public synchronized Optional<StartedBuild> findStarted(BuildTarget target, String idempotencyToken, Instant since) {
        lookups++;
        if (lookupFailuresToThrow > 0) {
            lookupFailuresToThrow--;
            throw new BuildRunnerException("listing the builds of " + target.name() + " failed: the build service answered 500", null);
        }
        if (target.kind() == BuildTarget.Kind.PIPELINE) {
            return Optional.empty();
        }
        Start latest = latestStart(target, idempotencyToken);
        if (latest == null || latest.at().isBefore(since)) {
            return Optional.empty();
        }
        Boolean succeeded = outcomes.get(latest.buildId());
        if (succeeded == null) {
            return Optional.of(new StartedBuild(latest.buildId(), StartedBuild.State.RUNNING, null));
        }
        return Optional.of(succeeded
                ? new StartedBuild(latest.buildId(), StartedBuild.State.SUCCEEDED, null)
                : new StartedBuild(latest.buildId(), StartedBuild.State.FAILED, "CodeBuild status FAILED"));
    }

    private boolean honours(Start earlier, Instant now) {
        return earlier.target().kind() == BuildTarget.Kind.PIPELINE || now.isBefore(earlier.at().plus(CODEBUILD_TOKEN_WINDOW));
    }

    private Start latestStart(BuildTarget target, String idempotencyToken) {
        for (int i = starts.size() - 1; i >= 0; i--) {
            Start start = starts.get(i);
            if (start.target().equals(target) && start.idempotencyToken().equals(idempotencyToken)) {
                return start;
            }
        }
        return null;
    }

    /** The build ends; the caller tells the rebuild service itself. */
    public synchronized void finish(String buildId) {
        finish(buildId, true);
    }

    /** The build ends, as it went; the caller tells the rebuild service itself. */
    public synchronized void finish(String buildId, boolean succeeded) {
        if (!running.remove(buildId)) {
            throw new IllegalStateException("build " + buildId + " is not running");
        }
        outcomes.put(buildId, succeeded);
    }

    public synchronized List<Start> starts() {
        return List.copyOf(starts);
    }

    public synchronized List<String> running() {
        return running.stream().sorted().toList();
    }

    /** How many times a caller looked for an earlier build. */
    public synchronized int lookups() {
        return lookups;
    }

    /** The most builds that ever ran at once. */
    public synchronized int peakRunning() {
        return peakRunning;
    }
}
