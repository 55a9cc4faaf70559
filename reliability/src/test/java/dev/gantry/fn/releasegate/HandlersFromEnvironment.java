package dev.gantry.fn.releasegate;

import java.util.Map;

/** The gate functions' handlers built as Lambda builds them, from an environment the test gives. */
public final class HandlersFromEnvironment {

    private HandlersFromEnvironment() {}

    public static PipelineGateHandler pipelineGate(Map<String, String> environment) {
        return new PipelineGateHandler(ReleaseGateWiring.pipelineGate(environment).gates());
    }

    public static EcsHookHandler ecsHook(Map<String, String> environment) {
        return new EcsHookHandler(ReleaseGateWiring.ecsHook(environment).hooks());
    }
}
