package dev.gantry.infra;

import dev.gantry.core.pipeline.PipelineTarget;

/** What CodePipeline does to an action's configuration before the job reaches the function: it resolves variables. */
final class CodePipelineVariables {

    /** A pipeline execution's id, as {@code #{codepipeline.PipelineExecutionId}} resolves. */
    static final String EXECUTION_ID = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";

    private CodePipelineVariables() {}

    static String resolved(String configuration) {
        return configuration.replace(PipelineTarget.EXECUTION_ID_VARIABLE, EXECUTION_ID);
    }
}
