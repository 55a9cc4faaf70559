package dev.gantry.testing;

import dev.gantry.core.rebuild.BuildRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A build service in memory: records every start, counts the builds running (started and not yet finished by the
 * test) and the most that ever ran at once, honours idempotency tokens as CodeBuild does, and fails on request.
 */
public final class InMemoryBuildRunner implements BuildRunner {

    /** One start as the service received it. */
    public record Start(BuildTarget target, Map<String, String> variables, String idempotencyToken, String buildId) {}

    private final List<Start> starts = new ArrayList<>();
    private final Map<String, String> buildByToken = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> missingTargets = new HashSet<>();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    private int capacity = Integer.MAX_VALUE;
    private int failuresToThrow;
    private int peakRunning;

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

    @Override
    public synchronized String start(BuildTarget target, Map<String, String> variables, String idempotencyToken) {
        String known = buildByToken.get(idempotencyToken);
        if (known != null) {
            return known;
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
        buildByToken.put(idempotencyToken, buildId);
        starts.add(new Start(target, Map.copyOf(variables), idempotencyToken, buildId));
        running.add(buildId);
        peakRunning = Math.max(peakRunning, running.size());
        return buildId;
    }

    /** The build ends; the caller tells the rebuild service itself. */
    public synchronized void finish(String buildId) {
        if (!running.remove(buildId)) {
            throw new IllegalStateException("build " + buildId + " is not running");
        }
    }

    public synchronized List<Start> starts() {
        return List.copyOf(starts);
    }

    public synchronized List<String> running() {
        return running.stream().sorted().toList();
    }

    /** The most builds that ever ran at once. */
    public synchronized int peakRunning() {
        return peakRunning;
    }
}
