package dev.gantry.aws;

import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.PipelineJobs;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.FailureType;
import software.amazon.awssdk.services.codepipeline.model.InvalidJobStateException;

/** {@link PipelineJobs} over CodePipeline's {@code PutJobSuccessResult} and {@code PutJobFailureResult}. */
public final class SdkPipelineJobs implements PipelineJobs {

    private final CodePipelineClient codePipeline;

    public SdkPipelineJobs(CodePipelineClient codePipeline) {
        this.codePipeline = codePipeline;
    }

    @Override
    public void putSuccess(String jobId, String summary) {
        call(jobId, "PutJobSuccessResult", () -> codePipeline.putJobSuccessResult(r -> r
                .jobId(jobId)
                .executionDetails(d -> d.summary(summary))));
    }

    @Override
    public void putContinuation(String jobId, String continuationToken, String summary) {
        call(jobId, "PutJobSuccessResult", () -> codePipeline.putJobSuccessResult(r -> r
                .jobId(jobId)
                .continuationToken(continuationToken)
                .executionDetails(d -> d.summary(summary))));
    }

    @Override
    public void putFailure(String jobId, JobFailureType type, String message) {
        call(jobId, "PutJobFailureResult", () -> codePipeline.putJobFailureResult(r -> r
                .jobId(jobId)
                .failureDetails(d -> d.type(failureType(type)).message(message))));
    }

    static FailureType failureType(JobFailureType type) {
        return switch (type) {
            case CONFIGURATION_ERROR -> FailureType.CONFIGURATION_ERROR;
            case JOB_FAILED -> FailureType.JOB_FAILED;
        };
    }

    /** Translates CodePipeline's errors: a job that takes no more results is not a failure to retry. */
    private static void call(String jobId, String operation, Supplier<?> request) {
        try {
            request.get();
        } catch (InvalidJobStateException e) {
            throw new JobAlreadyCompletedException("CodePipeline job " + jobId + " takes no result: " + e.awsErrorDetails().errorMessage(), e);
        } catch (AwsServiceException e) {
            throw new PipelineJobsException(operation + " for job " + jobId + " was refused: " + e.awsErrorDetails().errorCode()
                    + " (HTTP " + e.statusCode() + "): " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new PipelineJobsException(operation + " for job " + jobId + " failed: " + e.getMessage(), e);
        }
    }
}
