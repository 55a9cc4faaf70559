package dev.gantry.core.pipeline;

/** Why a job failed, in CodePipeline's terms (its {@code failureDetails.type}). */
public enum JobFailureType {
    /** The pipeline or Gantry's configuration must change before the job can succeed. */
    CONFIGURATION_ERROR,
    /** This run failed: its artifact, the image or the deploy. Running it again may succeed. */
    JOB_FAILED
}
