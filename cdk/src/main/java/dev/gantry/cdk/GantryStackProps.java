package dev.gantry.cdk;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awscdk.Environment;

/**
 * What {@link GantryStack} is built from.
 *
 * @param config the validated configuration
 * @param configFile the file {@code config} was loaded from; shipped to the functions unchanged
 * @param ecsDeployJar the shaded ecs-deploy function jar
 * @param releaseGateJar the shaded release-gate function jar; read only when some environment names a gate
 * @param imageRebuildJar the shaded image-rebuild function jar; read only when the configuration declares base images
 * @param env the account and region to deploy to; {@code null} for an environment-agnostic stack
 * @param slackBotTokenSecretArn the Secrets Manager secret holding the Slack bot token, for gates whose approvers
 *     include Slack user groups; null when none
 * @param releasePipelines the services that get a release pipeline, and their source; {@link ReleasePipelineSettings#NONE}
 *     for none
 */
public record GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
        Environment env, ReleasePipelineSettings releasePipelines, String slackBotTokenSecretArn) {

    public GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
            Environment env, ReleasePipelineSettings releasePipelines) {
        this(config, configFile, ecsDeployJar, releaseGateJar, imageRebuildJar, env, releasePipelines, null);
    }

    public GantryStackProps {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(ecsDeployJar, "ecsDeployJar");
        Objects.requireNonNull(releaseGateJar, "releaseGateJar");
        Objects.requireNonNull(imageRebuildJar, "imageRebuildJar");
        Objects.requireNonNull(releasePipelines, "releasePipelines");
    }

    /** Without release pipelines. */
    public GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
            Environment env) {
        this(config, configFile, ecsDeployJar, releaseGateJar, imageRebuildJar, env, ReleasePipelineSettings.NONE);
    }
}
