package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import java.util.Objects;

/**
 * An ECS service: where it lives, what it is called, and how Gantry reaches it.
 *
 * @param account 12-digit account id of the service
 * @param region region of the service
 * @param cluster cluster name
 * @param service service name
 * @param roleArn the IAM role Gantry assumes to call ECS for this service; null when the reference does not say (one read
 *     from an ECS event, say): then the configuration decides, and a service it does not name is called with Gantry's own
 *     credentials. It is how the service is reached, not which service it is: equality leaves it out, so a reference read
 *     from an event equals the configured one.
 */
public record EcsServiceRef(String account, String region, String cluster, String service, String roleArn) {

    /** A service, without saying how Gantry reaches it. */
    public EcsServiceRef(String account, String region, String cluster, String service) {
        this(account, region, cluster, service, null);
    }

    public static EcsServiceRef of(EnvironmentConfig environment) {
        return new EcsServiceRef(environment.account(), environment.region(), environment.cluster(), environment.service(),
                environment.roleArn());
    }

    /** True when both live in the same account and region, so they can use the same task definitions. */
    public boolean sameLocationAs(EcsServiceRef other) {
        return Objects.equals(account, other.account) && Objects.equals(region, other.region);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EcsServiceRef ref && Objects.equals(account, ref.account) && Objects.equals(region, ref.region)
                && Objects.equals(cluster, ref.cluster) && Objects.equals(service, ref.service);
    }

    @Override
    public int hashCode() {
        return Objects.hash(account, region, cluster, service);
    }

    @Override
    public String toString() {
        return cluster + "/" + service + " (" + account + ", " + region + ")";
    }
}
