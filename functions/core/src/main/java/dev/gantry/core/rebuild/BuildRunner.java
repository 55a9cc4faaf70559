package dev.gantry.core.rebuild;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts the rebuild of one dependent image: a CodeBuild build or a CodePipeline (V2) execution, handed the new base
 * as build variables ({@code BASE_IMAGE=<repository>@sha256:...}).
 *
 * <p>Errors: {@link CapacityExceededException} when the account runs as many builds as it may (CodeBuild's
 * {@code AccountLimitExceededException}): nothing started, try again later; {@link BuildTargetNotFoundException} when
 * the project or pipeline does not exist: that dependent cannot be rebuilt until the configuration is fixed;
 * {@link BuildRunnerException} for anything else, after the client's own retries.
 *
 * <p>A token keeps a repeated start from starting a second build only while the service remembers it: CodeBuild
 * forgets a StartBuild token after five minutes. So a start that may follow an earlier attempt's (whose invocation died,
 * or whose answer was lost, after the service had acted) first asks {@link #findStarted} for that attempt's build
 * (decision 26).
 */
public interface BuildRunner {

    /**
     * @param target the CodeBuild project or the pipeline
     * @param variables the build's variables; CodeBuild gets them as environment variable overrides, a pipeline as
     *     pipeline variables
     * @param idempotencyToken the same for every attempt to start the same rebuild, so a retried start after a lost
     *     answer does not start a second build where the service honours it (CodeBuild's {@code idempotencyToken},
     *     CodePipeline's {@code clientRequestToken})
     * @return the started build's id (CodeBuild build id, or pipeline execution id)
     */
    String start(BuildTarget target, Map<String, String> variables, String idempotencyToken);

    /**
     * The build a {@link #start} with this target and token began, if one did at or after {@code since}: each CodeBuild
     * build is marked with its token, however long ago the service stopped honouring it. The newest, if there are
     * several. A pipeline execution carries no mark (a pipeline refuses variables it does not declare), so for a
     * pipeline the answer is always empty and its start relies on CodePipeline's {@code clientRequestToken} alone.
     *
     * @param since no start with this token was made before it
     * @throws BuildRunnerException when the builds cannot be read: then nobody can tell whether the build exists, and
     *     nothing may be started in its place
     */
    Optional<StartedBuild> findStarted(BuildTarget target, String idempotencyToken, Instant since);

    /** What is rebuilt: exactly one of a CodeBuild project or a CodePipeline pipeline. */
    record BuildTarget(Kind kind, String name) {
        public BuildTarget {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        public enum Kind { CODEBUILD, PIPELINE }
    }

    /**
     * A build found by {@link #findStarted}.
     *
     * @param id the build id, as {@link #start} returns it
     * @param state whether it still runs or how it ended
     * @param detail why it failed, as a person reads it ("CodeBuild status TIMED_OUT"); null unless it failed
     */
    record StartedBuild(String id, State state, String detail) {
        public StartedBuild {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(state, "state");
        }

        public enum State { RUNNING, SUCCEEDED, FAILED }
    }

    class CapacityExceededException extends RuntimeException {
        public CapacityExceededException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    class BuildTargetNotFoundException extends RuntimeException {
        public BuildTargetNotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    class BuildRunnerException extends RuntimeException {
        public BuildRunnerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
