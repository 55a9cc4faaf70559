package dev.gantry.core.pipeline;

import java.util.List;

/**
 * A CodePipeline job for Gantry's deploy action, as Gantry needs it. The parts a pipeline author
 * controls are kept as given and checked by {@link PipelineDeployService}, so that a mistake in them
 * fails the job with a message in the pipeline instead of vanishing with the invocation.
 *
 * @param id the job id: what the result is put for, and the unit done exactly once
 * @param accountId the pipeline's AWS account
 * @param userParameters the action's {@code UserParameters} exactly as configured; null when absent
 * @param inputArtifacts the action's input artifacts, in the order the pipeline lists them
 * @param access the credentials for reading the input artifacts
 * @param continuationToken what an earlier job of the same action run handed CodePipeline to carry on with; null
 *     for the first job of a run
 * @param pipelineExecutionId the pipeline execution the job belongs to ({@code pipelineContext.pipelineExecutionId} of
 *     the job data); null when the job does not say
 */
public record PipelineJob(String id, String accountId, String userParameters, List<ArtifactLocation> inputArtifacts,
        ArtifactAccess access, String continuationToken, String pipelineExecutionId) {

    public PipelineJob(String id, String accountId, String userParameters, List<ArtifactLocation> inputArtifacts, ArtifactAccess access) {
        this(id, accountId, userParameters, inputArtifacts, access, null, null);
    }

    public PipelineJob(String id, String accountId, String userParameters, List<ArtifactLocation> inputArtifacts, ArtifactAccess access,
            String continuationToken) {
        this(id, accountId, userParameters, inputArtifacts, access, continuationToken, null);
    }

    public PipelineJob {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(access, "access");
        inputArtifacts = inputArtifacts == null ? List.of() : List.copyOf(inputArtifacts);
    }
}
