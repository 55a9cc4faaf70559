package dev.gantry.core.pipeline;

/**
 * Where a pipeline artifact lies: an object in the pipeline's artifact bucket.
 *
 * @param name the artifact's name in the pipeline, e.g. {@code BuildOutput}
 * @param bucket the S3 bucket
 * @param key the object key; the object is a ZIP archive
 */
public record ArtifactLocation(String name, String bucket, String key) {

    @Override
    public String toString() {
        return name + " (s3://" + bucket + "/" + key + ")";
    }
}
