package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;

/** An ECS service: where it lives and what it is called. */
public record EcsServiceRef(String account, String region, String cluster, String service) {

    public static EcsServiceRef of(EnvironmentConfig environment) {
        return new EcsServiceRef(environment.account(), environment.region(), environment.cluster(), environment.service());
    }

    @Override
    public String toString() {
        return cluster + "/" + service + " (" + account + ", " + region + ")";
    }
}
