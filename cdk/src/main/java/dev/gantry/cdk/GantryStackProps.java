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
 * @param releasePipelines the services that get a release pipeline, and their source; {@link ReleasePipelineSettings#NONE}
 *     for none
 * @param slackBotTokenSecretArn the Secrets Manager secret holding the Slack bot token, for gates whose approvers
 *     include Slack user groups and for ChatOps; null when none
 * @param chatOpsJar the shaded ChatOps function jar; read only when ChatOps is on; null when it is off
 * @param slackSigningSecretArn the Secrets Manager secret holding the Slack app's signing secret: given, it turns
 *     ChatOps on, which needs the configuration's {@code slack} section, the bot token's secret and {@code chatOpsJar};
 *     null for no ChatOps
 */
public record GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
        Environment env, ReleasePipelineSettings releasePipelines, String slackBotTokenSecretArn, Path chatOpsJar,
        String slackSigningSecretArn) {

    /**
     * @throws IllegalArgumentException when {@code slackSigningSecretArn} is given without what ChatOps needs beside it
     */
    public GantryStackProps {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(ecsDeployJar, "ecsDeployJar");
        Objects.requireNonNull(releaseGateJar, "releaseGateJar");
        Objects.requireNonNull(imageRebuildJar, "imageRebuildJar");
        Objects.requireNonNull(releasePipelines, "releasePipelines");
        if (slackSigningSecretArn != null) {
            // Half a ChatOps would be a public endpoint that can answer nobody: refuse it rather than build it.
            if (config.slack() == null) {
                throw new IllegalArgumentException("ChatOps needs the configuration's 'slack' section");
            }
            if (slackBotTokenSecretArn == null) {
                throw new IllegalArgumentException("ChatOps needs slackBotTokenSecretArn beside slackSigningSecretArn");
            }
            Objects.requireNonNull(chatOpsJar, "chatOpsJar is required with slackSigningSecretArn");
        }
    }

    /** Without ChatOps. */
    public GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
            Environment env, ReleasePipelineSettings releasePipelines, String slackBotTokenSecretArn) {
        this(config, configFile, ecsDeployJar, releaseGateJar, imageRebuildJar, env, releasePipelines, slackBotTokenSecretArn, null, null);
    }

    /** Without ChatOps and without the Slack bot token. */
    public GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
            Environment env, ReleasePipelineSettings releasePipelines) {
        this(config, configFile, ecsDeployJar, releaseGateJar, imageRebuildJar, env, releasePipelines, null);
    }

    /** Without release pipelines, ChatOps and the Slack bot token. */
    public GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar,
            Environment env) {
        this(config, configFile, ecsDeployJar, releaseGateJar, imageRebuildJar, env, ReleasePipelineSettings.NONE);
    }

    /** Whether the stack holds ChatOps: the signing secret's ARN is given (the constructor checked the rest). */
    public boolean chatOps() {
        return slackSigningSecretArn != null;
    }
}
