package dev.gantry.cdk;

import dev.gantry.infra.GantryAutomationProps;
import java.util.Objects;
import software.amazon.awscdk.Environment;

/**
 * What {@link GantryStack} is built from.
 *
 * @param automation everything Gantry is built from: the configuration, the function jars, Slack and release pipelines
 * @param env the account and region to deploy to; {@code null} for an environment-agnostic stack
 */
public record GantryStackProps(GantryAutomationProps automation, Environment env) {

    public GantryStackProps {
        Objects.requireNonNull(automation, "automation");
    }
}
