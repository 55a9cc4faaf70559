package dev.gantry.fn.ecsdeploy;

import java.util.Map;

/**
 * The deploy functions' handlers built exactly as Lambda builds them, from an environment the test gives instead of the
 * process's own, so one JVM can run many differently configured functions.
 */
public final class HandlersFromEnvironment {

    private HandlersFromEnvironment() {}

    public static EcsDeployHandler ecsDeploy(Map<String, String> environment) {
        EcsDeployWiring.Wired wired = EcsDeployWiring.fromEnvironment(environment);
        return new EcsDeployHandler(wired.deploys(), wired.news());
    }

    public static PipelineDeployHandler pipelineDeploy(Map<String, String> environment) {
        PipelineDeployWiring.Wired wired = PipelineDeployWiring.fromEnvironment(environment);
        return new PipelineDeployHandler(wired.pipelineDeploys(), wired.news());
    }

    public static RolloutHandler rollout(Map<String, String> environment) {
        RolloutWiring.Wired wired = RolloutWiring.fromEnvironment(environment);
        return new RolloutHandler(wired.rollouts(), wired.news());
    }

    public static GateSweepHandler gateSweep(Map<String, String> environment) {
        GateSweepWiring.Wired wired = GateSweepWiring.fromEnvironment(environment);
        return new GateSweepHandler(wired.sweep(), wired.news());
    }
}
