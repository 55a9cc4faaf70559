package dev.gantry.core.gate;

/** What brought a release to its gate, and therefore who acts when the gate decides. */
public enum GateOrigin {
    /**
     * Gantry's own deploy flow (an ECR push or an explicit deploy): when the gate passes, Gantry deploys the
     * release itself, so the gate sweep must hand it over.
     */
    DEPLOY,
    /** A CodePipeline gate action: the pipeline asks again through its continuation jobs and moves on itself. */
    PIPELINE,
    /** An ECS deployment lifecycle hook: ECS asks again after the delay Gantry answers with. */
    ECS_HOOK
}
