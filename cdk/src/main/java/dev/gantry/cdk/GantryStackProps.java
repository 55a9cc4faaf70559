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
 * @param env the account and region to deploy to; {@code null} for an environment-agnostic stack
 */
public record GantryStackProps(GantryConfig config, Path configFile, Path ecsDeployJar, Environment env) {

    public GantryStackProps {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(ecsDeployJar, "ecsDeployJar");
    }
}
