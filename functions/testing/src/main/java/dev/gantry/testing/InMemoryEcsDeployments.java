package dev.gantry.testing;

import dev.gantry.core.deploy.EcsGateway.EcsTargetNotFoundException;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.EcsDeployments;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ECS deployments in memory: what DescribeServices would list for each service, as a test sets it, and
 * the services asked about, in order. An unknown service is not found, as in ECS.
 */
public final class InMemoryEcsDeployments implements EcsDeployments {

    private final Map<String, List<EcsDeploymentState>> deploymentsByService = new HashMap<>();
    private final List<EcsServiceRef> asked = new ArrayList<>();

    /** From now on the service lists exactly these deployments, PRIMARY first as ECS lists them. */
    public synchronized void given(EcsServiceRef service, EcsDeploymentState... deployments) {
        deploymentsByService.put(key(service), List.of(deployments));
    }

    @Override
    public synchronized List<EcsDeploymentState> deploymentsOf(EcsServiceRef service) {
        asked.add(service);
        List<EcsDeploymentState> deployments = deploymentsByService.get(key(service));
        if (deployments == null) {
            throw new EcsTargetNotFoundException("ECS service " + service + " not found (MISSING)", null);
        }
        return deployments;
    }

    /** The services whose deployments were read, in order. */
    public synchronized List<EcsServiceRef> asked() {
        return List.copyOf(asked);
    }

    // How Gantry reaches a service is not part of which service it is.
    private static String key(EcsServiceRef service) {
        return service.account() + "/" + service.region() + "/" + service.cluster() + "/" + service.service();
    }
}
