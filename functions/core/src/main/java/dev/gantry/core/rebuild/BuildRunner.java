package dev.gantry.core.rebuild;

import java.util.Map;
import java.util.Objects;

/**
 * Starts the rebuild of one dependent image: a CodeBuild build or a CodePipeline (V2) execution, handed the new base
 * as build variables ({@code BASE_IMAGE=<repository>@sha256:...}).
 *
 * <p>Errors: {@link CapacityExceededException} when the account runs as many builds as it may (CodeBuild's
 * {@code AccountLimitExceededException}): nothing started, try again later; {@link BuildTargetNotFoundException} when
 * the project or pipeline does not exist: that dependent cannot be rebuilt until the configuration is fixed;
 * {@link BuildRunnerException} for anything else, after the client's own retries.
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

    /** What is rebuilt: exactly one of a CodeBuild project or a CodePipeline pipeline. */
    record BuildTarget(Kind kind, String name) {
        public BuildTarget {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        public enum Kind { CODEBUILD, PIPELINE }
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
