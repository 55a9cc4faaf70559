package dev.gantry.aws;

import dev.gantry.core.rebuild.BuildRunner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.AccountLimitExceededException;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.ConcurrentPipelineExecutionsLimitExceededException;
import software.amazon.awssdk.services.codepipeline.model.PipelineNotFoundException;
import software.amazon.awssdk.services.codepipeline.model.PipelineVariable;

/**
 * {@link BuildRunner} over CodeBuild's {@code StartBuild} and CodePipeline's {@code StartPipelineExecution}, in the
 * region of the clients it is given.
 */
public final class SdkBuildRunner implements BuildRunner {

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
        List<EnvironmentVariable> overrides = variables.entrySet().stream()
                .map(v -> EnvironmentVariable.builder().name(v.getKey()).value(v.getValue()).type(EnvironmentVariableType.PLAINTEXT).build())
                .toList();
        String where = "CodeBuild project " + project;
        return call(where, "StartBuild", () -> codeBuild.startBuild(r -> r
                .projectName(project)
                .environmentVariablesOverride(overrides)
                .idempotencyToken(token))
                .build().id());
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
