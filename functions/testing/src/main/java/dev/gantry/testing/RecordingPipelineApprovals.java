package dev.gantry.testing;

import dev.gantry.core.chatops.PipelineApprovals;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CodePipeline's approval actions as PutApprovalResult treats them: a token is answered once, a second answer is
 * {@link AlreadyDecidedException}, an unknown token {@link InvalidTokenException}. Every call that got through is
 * recorded; tests add tokens, decide some outside Gantry, or make the next calls fail.
 */
public final class RecordingPipelineApprovals implements PipelineApprovals {

    /** One PutApprovalResult as CodePipeline took it. */
    public record Result(String pipeline, String stage, String action, String token, boolean approved, String summary) {}

    private final Set<String> open = new HashSet<>();
    private final Set<String> decided = new HashSet<>();
    private final List<Result> results = new ArrayList<>();
    private final Deque<RuntimeException> failures = new ArrayDeque<>();
    private int calls;

    /** An approval action waiting with {@code token}. */
    public synchronized RecordingPipelineApprovals givenWaiting(String token) {
        open.add(token);
        return this;
    }

    /** Someone answered {@code token} in the console. */
    public synchronized void decidedElsewhere(String token) {
        open.remove(token);
        decided.add(token);
    }

    /** The next calls throw these, one each, taking nothing. */
    public synchronized void failNext(RuntimeException... exceptions) {
        failures.addAll(List.of(exceptions));
    }

    @Override
    public synchronized void putApprovalResult(String pipeline, String stage, String action, String token, boolean approved, String summary) {
        calls++;
        if (!failures.isEmpty()) {
            throw failures.removeFirst();
        }
        if (decided.contains(token)) {
            throw new AlreadyDecidedException("approval " + token + " was already decided", null);
        }
        if (!open.remove(token)) {
            throw new InvalidTokenException("approval token " + token + " is not valid", null);
        }
        decided.add(token);
        results.add(new Result(pipeline, stage, action, token, approved, summary));
    }

    /** The results CodePipeline took, in order. */
    public synchronized List<Result> results() {
        return List.copyOf(results);
    }

    /** Calls made, refused and failed ones included. */
    public synchronized int calls() {
        return calls;
    }
}
