package dev.gantry.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The validated contents of {@code gantry.yml}: what Gantry watches and where it deploys.
 *
 * <p>Instances come from {@link ConfigLoader}, which rejects an invalid file with an
 * {@link InvalidConfigException} naming each problem's line and field. Absent lists are empty, never
 * null.
 *
 * @param version the file format version; only {@code 1} exists
 * @param slack where release threads go; absent when Slack is not used
 * @param baseImages golden images and the images built from them
 * @param services applications Gantry deploys, each with its environments in promotion order
 * @param gates named gates that environments refer to
 * @param rebuilds how dependent images are rebuilt; {@link RebuildsConfig#DEFAULTS} when absent
 */
public record GantryConfig(
        Integer version,
        SlackConfig slack,
        List<BaseImageConfig> baseImages,
        List<ServiceConfig> services,
        List<GateConfig> gates,
        RebuildsConfig rebuilds) {

    public GantryConfig {
        rebuilds = rebuilds == null ? RebuildsConfig.DEFAULTS : rebuilds;
        baseImages = baseImages == null ? List.of() : List.copyOf(baseImages);
        services = services == null ? List.of() : List.copyOf(services);
        gates = gates == null ? List.of() : List.copyOf(gates);
    }

    public GantryConfig(Integer version, SlackConfig slack, List<BaseImageConfig> baseImages, List<ServiceConfig> services,
            List<GateConfig> gates) {
        this(version, slack, baseImages, services, gates, null);
    }

    /** The services whose images live in {@code repositoryName}, in file order. */
    public List<ServiceConfig> servicesForRepository(String repositoryName) {
        return services.stream().filter(s -> s.repository().equals(repositoryName)).toList();
    }

    public Optional<GateConfig> gate(String name) {
        return gates.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** Every ECR repository an application service deploys from, sorted and without repeats. */
    public List<String> serviceRepositories() {
        return services.stream().map(ServiceConfig::repository).distinct().sorted().toList();
    }
}
