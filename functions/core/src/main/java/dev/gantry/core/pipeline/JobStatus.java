package dev.gantry.core.pipeline;

/** How far Gantry got with a pipeline job. */
public enum JobStatus {
    /** An invocation holds the lease and is working on the job. */
    CLAIMED,
    /** The job has its result; nothing more will be done for it. */
    COMPLETED
}
