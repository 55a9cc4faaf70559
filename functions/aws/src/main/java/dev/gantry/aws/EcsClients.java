package dev.gantry.aws;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One ECS client per way of reaching the configured services: per region, and per IAM role Gantry assumes there. Built
 * once, at init, from the configuration; a service is reached with the client for its region and {@code roleArn}.
 *
 * <p>A reference that names no role (one read from an ECS event, say) is reached the way the configuration reaches that
 * service: the environment is found by account, region, cluster and service, which the configuration allows only once.
 *
 * <p>An environment without a role is reached with the function's own credentials. For one with a role, the client signs
 * with credentials from STS AssumeRole, which {@link StsAssumeRoleCredentialsProvider} fetches on first use, caches and
 * refreshes before they expire. The session is named {@code gantry-<service>-<environment>} (cut to 64 characters), so
 * the target account's CloudTrail says which environment Gantry was deploying; a role that several environments share
 * in a region gets one client, and a session named {@code gantry-<region>}, since no one environment's name would be
 * true.
 */
public final class EcsClients implements AutoCloseable {

    /** The longest role session name STS accepts. */
    static final int MAX_SESSION_NAME_LENGTH = 64;

    /** How a service is reached: its region and the role assumed there (null: the function's own credentials). */
    record Route(String region, String roleArn) {

        static Route of(EcsServiceRef ref) {
            return new Route(ref.region(), ref.roleArn());
        }
    }

    private final Map<Route, EcsClient> clients;
    // Keyed by the service, whichever role a reference names: EcsServiceRef's equality leaves the role out.
    private final Map<EcsServiceRef, Route> configuredRoutes = new LinkedHashMap<>();
    private final Map<Route, String> sessionNames;
    private final List<StsAssumeRoleCredentialsProvider> assumedRoles = new ArrayList<>();
    private final StsClient sts;

    /** The runtime wiring: clients over {@code aws}'s HTTP client, source credentials and STS. */
    public static EcsClients forConfig(GantryConfig config, AwsClients aws) {
        return new EcsClients(config, aws::ecs, aws.credentials(), aws::sts);
    }

    /**
     * @param ecs builds an ECS client for a region signing with the given credentials
     * @param sourceCredentials the function's own credentials
     * @param sts the STS client that assumes roles; asked for only when some environment names a role
     */
    EcsClients(GantryConfig config, BiFunction<Region, AwsCredentialsProvider, EcsClient> ecs, AwsCredentialsProvider sourceCredentials,
            Supplier<StsClient> sts) {
        Map<Route, List<String>> environmentsByRoute = new LinkedHashMap<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                EcsServiceRef ref = EcsServiceRef.of(environment);
                environmentsByRoute.computeIfAbsent(Route.of(ref), r -> new ArrayList<>()).add(service.name() + "-" + environment.name());
                configuredRoutes.put(ref, Route.of(ref));
            }
        }
        boolean anyRole = environmentsByRoute.keySet().stream().anyMatch(r -> r.roleArn() != null);
        this.sts = anyRole ? sts.get() : null;
        Map<Route, EcsClient> built = new LinkedHashMap<>();
        Map<Route, String> names = new LinkedHashMap<>();
        environmentsByRoute.forEach((route, environments) -> {
            AwsCredentialsProvider credentials = sourceCredentials;
            if (route.roleArn() != null) {
                String sessionName = sessionName(route, environments);
                names.put(route, sessionName);
                StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder()
                        .stsClient(this.sts)
                        .refreshRequest(r -> r.roleArn(route.roleArn()).roleSessionName(sessionName))
                        .build();
                assumedRoles.add(assumed);
                credentials = assumed;
            }
            built.put(route, ecs.apply(Region.of(route.region()), credentials));
        });
        this.clients = Collections.unmodifiableMap(built);
        this.sessionNames = Collections.unmodifiableMap(names);
    }

    /**
     * The client that reaches {@code service}.
     *
     * @param service the service; when it names no role, the configured environment's role applies
     * @throws IllegalStateException when no configured environment is reached that way: Gantry talks only to what its
     *     configuration names
     */
    public EcsClient forTarget(EcsServiceRef service) {
        EcsClient client = clients.get(routeOf(service));
        if (client == null) {
            throw new IllegalStateException("no ECS client for " + service
                    + (service.roleArn() == null ? "" : " through role " + service.roleArn())
                    + ": no environment in the configuration is reached that way");
        }
        return client;
    }

    /** The session name Gantry assumes the service's role with; empty when it uses no role. */
    Optional<String> sessionNameFor(EcsServiceRef service) {
        return Optional.ofNullable(sessionNames.get(routeOf(service)));
    }

    /** The reference's own route when it names a role; otherwise the configured one for that service, if any. */
    private Route routeOf(EcsServiceRef service) {
        if (service.roleArn() != null) {
            return Route.of(service);
        }
        return configuredRoutes.getOrDefault(service, Route.of(service));
    }

    /** How many clients were built. */
    int size() {
        return clients.size();
    }

    static String sessionName(Route route, List<String> environments) {
        String name = environments.size() == 1 ? "gantry-" + environments.get(0) : "gantry-" + route.region();
        return name.length() <= MAX_SESSION_NAME_LENGTH ? name : name.substring(0, MAX_SESSION_NAME_LENGTH);
    }

    @Override
    public void close() {
        clients.values().forEach(EcsClient::close);
        assumedRoles.forEach(StsAssumeRoleCredentialsProvider::close);
        if (sts != null) {
            sts.close();
        }
    }
}
