package dev.gantry.aws;

import dev.gantry.core.rebuild.BuildRunner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.AccountLimitExceededException;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.ListBuildsForProjectResponse;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.ConcurrentPipelineExecutionsLimitExceededException;
import software.amazon.awssdk.services.codepipeline.model.PipelineNotFoundException;
import software.amazon.awssdk.services.codepipeline.model.PipelineVariable;

/**
 * {@link BuildRunner} over CodeBuild's {@code StartBuild} and CodePipeline's {@code StartPipelineExecution}, in the
 * region of the clients it is given. Each CodeBuild build is marked with its start's token in the environment variable
 * {@value #MARK_VARIABLE}, and found again by it with {@code ListBuildsForProject} and {@code BatchGetBuilds}
 * (decision 26).
 */
public final class SdkBuildRunner implements BuildRunner {

    /** The environment variable override that marks a build with the idempotency token it was started with. */
    public static final String MARK_VARIABLE = "GANTRY_REBUILD_TOKEN";

    /** How far CodeBuild's clock may be behind this one: a build is looked for this much before it could have started. */
    static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(1);

    private final CodeBuildClient codeBuild;
    private final CodePipelineClient codePipeline;

    public SdkBuildRunner(CodeBuildClient codeBuild, CodePipelineClient codePipeline) {
        this.codeBuild = codeBuild;
        this.codePipeline = codePipeline;
    }

    @Override
    public String start(BuildTarget target, Map<String, String> variables, String idempotencyToken) {
        String serviceToken = serviceToken(target, idempotencyToken);
        return switch (target.kind()) {
            case CODEBUILD -> startBuild(target.name(), variables, serviceToken);
            case PIPELINE -> startPipeline(target.name(), variables, serviceToken);
        };
    }

    private String startBuild(String project, Map<String, String> variables, String token) {
        // PLAINTEXT, because the values are image references: a PARAMETER_STORE or SECRETS_MANAGER type would make
        // CodeBuild resolve the value as a name.
        if (variables.containsKey(MARK_VARIABLE)) {
            throw new IllegalArgumentException(MARK_VARIABLE + " marks the build for CodeBuild project " + project
                    + " and cannot be given as a build variable");
        }
        List<EnvironmentVariable> overrides = new ArrayList<>();
        variables.forEach((name, value) -> overrides.add(plaintext(name, value)));
        overrides.add(plaintext(MARK_VARIABLE, token));
        String where = "CodeBuild project " + project;
        return call(where, "StartBuild", () -> codeBuild.startBuild(r -> r
                .projectName(project)
                .environmentVariablesOverride(overrides)
                .idempotencyToken(token))
                .build().id());
    }

    private static EnvironmentVariable plaintext(String name, String value) {
        return EnvironmentVariable.builder().name(name).value(value).type(EnvironmentVariableType.PLAINTEXT).build();
    }

    @Override
    public Optional<StartedBuild> findStarted(BuildTarget target, String idempotencyToken, Instant since) {
        if (target.kind() == BuildTarget.Kind.PIPELINE) {
            return Optional.empty();
        }
        String project = target.name();
        String mark = serviceToken(target, idempotencyToken);
        Instant bound = since.minus(CLOCK_TOLERANCE);
        String where = "CodeBuild project " + project;
        String nextToken = null;
        do {
            String pageToken = nextToken;
            // No sortOrder: newest first is CodeBuild's default, and its reference says an explicit order fails for a
            // project with more than 100 builds.
            ListBuildsForProjectResponse page = read(where, "ListBuildsForProject",
                    () -> codeBuild.listBuildsForProject(r -> r.projectName(project).nextToken(pageToken)));
            if (page == null || page.ids().isEmpty()) {
                return Optional.empty();
            }
            BatchGetBuildsResponse described = read(where, "BatchGetBuilds", () -> codeBuild.batchGetBuilds(r -> r.ids(page.ids())));
            List<Build> builds = described == null ? List.of() : described.builds();
            Optional<Build> marked = builds.stream()
                    .filter(build -> isMarked(build, mark))
                    .max(Comparator.comparing(Build::buildNumber, Comparator.nullsFirst(Comparator.naturalOrder())));
            if (marked.isPresent()) {
                return Optional.of(startedBuild(marked.get()));
            }
            // Build numbers grow with each start, so past a build older than the bound every later page is older still.
            if (builds.stream().anyMatch(build -> build.startTime() != null && build.startTime().isBefore(bound))) {
                return Optional.empty();
            }
            nextToken = page.nextToken();
        } while (nextToken != null && !nextToken.isEmpty());
        return Optional.empty();
    }

    private static boolean isMarked(Build build, String mark) {
        return build.environment() != null && build.environment().environmentVariables().stream()
                .anyMatch(variable -> MARK_VARIABLE.equals(variable.name()) && mark.equals(variable.value()));
    }

    private static StartedBuild startedBuild(Build build) {
        StatusType status = build.buildStatus();
        if (status == StatusType.SUCCEEDED) {
            return new StartedBuild(build.id(), StartedBuild.State.SUCCEEDED, null);
        }
        // An unknown status is left to the build's end event, which finds the build recorded.
        if (status == null || status == StatusType.IN_PROGRESS || status == StatusType.UNKNOWN_TO_SDK_VERSION) {
            return new StartedBuild(build.id(), StartedBuild.State.RUNNING, null);
        }
        return new StartedBuild(build.id(), StartedBuild.State.FAILED, "CodeBuild status " + build.buildStatusAsString());
    }

    private String startPipeline(String pipeline, Map<String, String> variables, String token) {
        List<PipelineVariable> pipelineVariables = variables.entrySet().stream()
                .map(v -> PipelineVariable.builder().name(v.getKey()).value(v.getValue()).build())
                .toList();
        String where = "pipeline " + pipeline;
        return call(where, "StartPipelineExecution", () -> codePipeline.startPipelineExecution(r -> {
            r.name(pipeline).clientRequestToken(token);
            // A pipeline that declares no variables refuses any, even an empty list, so none are sent when there are none.
            if (!pipelineVariables.isEmpty()) {
                r.variables(pipelineVariables);
            }
        }).pipelineExecutionId());
    }

    /**
     * The caller's token, hashed with the target into 64 hex digits: within what both services take (CodePipeline's
     * {@code clientRequestToken} is at most 128 of {@code [a-zA-Z0-9-]}), whatever the caller's token looks like, and
     * different for two targets started with the same token.
     */
    static String serviceToken(BuildTarget target, String idempotencyToken) {
        if (idempotencyToken == null || idempotencyToken.isBlank()) {
            throw new IllegalArgumentException("an idempotency token is required to start " + target.kind() + " " + target.name());
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // NUL separates the parts, so ("ab", "c") and ("a", "bc") do not hash alike.
            for (String part : List.of(target.kind().name(), target.name(), idempotencyToken)) {
                sha256.update(part.getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Translates a lookup's errors into {@link BuildRunnerException}, throttling included: whatever the cause, the caller
     * cannot tell whether a build exists. A project that does not exist has no builds: null, and the start that follows
     * reports it missing.
     */
    private static <T> T read(String where, String operation, Supplier<T> request) {
        try {
            return request.get();
        } catch (software.amazon.awssdk.services.codebuild.model.ResourceNotFoundException e) {
            return null;
        } catch (AwsServiceException e) {
            throw new BuildRunnerException(operation + " for " + where + " was refused: " + e.awsErrorDetails().errorCode()
                    + " (HTTP " + e.statusCode() + "): " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new BuildRunnerException(operation + " for " + where + " failed: " + e.getMessage(), e);
        }
    }

    /** Translates both services' errors; the client has already retried what it retries. */
    private static String call(String where, String operation, Supplier<String> request) {
        try {
            return request.get();
        } catch (AccountLimitExceededException | ConcurrentPipelineExecutionsLimitExceededException e) {
            throw new CapacityExceededException(operation + " for " + where + " was refused, the account runs as many as it may: "
                    + e.awsErrorDetails().errorMessage(), e);
        } catch (software.amazon.awssdk.services.codebuild.model.ResourceNotFoundException | PipelineNotFoundException e) {
            throw new BuildTargetNotFoundException(where + " does not exist: " + e.awsErrorDetails().errorMessage(), e);
        } catch (AwsServiceException e) {
            if (e.isThrottlingException()) {
                // Still throttled after the client's retries: nothing started, and later is the answer, as for a full account.
                throw new CapacityExceededException(operation + " for " + where + " was throttled: " + e.awsErrorDetails().errorCode(), e);
            }
            throw new BuildRunnerException(operation + " for " + where + " was refused: " + e.awsErrorDetails().errorCode()
                    + " (HTTP " + e.statusCode() + "): " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new BuildRunnerException(operation + " for " + where + " failed: " + e.getMessage(), e);
        }
    }
}
