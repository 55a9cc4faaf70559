package dev.gantry.core.config;

/**
 * An image built FROM a base image, and how to rebuild it: exactly one of a CodeBuild project or a
 * CodePipeline pipeline.
 *
 * @param name unique name across all base images
 * @param codebuild CodeBuild project name that rebuilds the image
 * @param pipeline CodePipeline (V2) pipeline name that rebuilds the image
 * @param produces the ECR repository the rebuilt image is pushed to
 */
public record DependentConfig(String name, String codebuild, String pipeline, String produces) {}
