package dev.gantry.core.rebuild;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.rebuild.LineageHistory.BaseVersion;
import dev.gantry.core.rebuild.LineageReport.BaseEntry;
import dev.gantry.core.rebuild.LineageReport.ChildEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the {@link LineageReport}: for each configured base image, the digest its tag points at, and for each of its
 * dependents the base digest the newest known image is on, how many base versions behind that is, whether it is
 * revoked, and (when given ECS) which environments run that image.
 *
 * <p>Only reads. A registry or ECS failure for one base or environment is left out of the report (an unknown newest
 * digest, an environment not listed) rather than failing the whole report.
 */
public final class LineageReportService {

    private final GantryConfig config;
    private final LineageHistory history;
    private final RevokedBases revoked;
    private final ImageRegistry registry;
    private final String account;
    private final String region;
    private final EcsGateway ecs;

    /**
     * @param account the account of the ECR registry holding the base images
     * @param region the region of that registry
     * @param ecs where running images are read; null to leave {@link ChildEntry#runningIn} empty
     */
    public LineageReportService(GantryConfig config, LineageHistory history, RevokedBases revoked, ImageRegistry registry,
            String account, String region, EcsGateway ecs) {
        this.config = Objects.requireNonNull(config, "config");
        this.history = Objects.requireNonNull(history, "history");
        this.revoked = Objects.requireNonNull(revoked, "revoked");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.account = Objects.requireNonNull(account, "account");
        this.region = Objects.requireNonNull(region, "region");
        this.ecs = ecs;
    }

    public LineageReport report() {
        return new LineageReport(config.baseImages().stream().map(this::entry).toList());
    }

    private BaseEntry entry(BaseImageConfig base) {
        ImageDigest newest = newestDigest(base);
        List<BaseVersion> versions = history.baseVersions(base.name());
        List<ChildEntry> children = new ArrayList<>();
        for (DependentConfig dependent : base.dependents()) {
            children.add(child(base, dependent, newest, versions));
        }
        return new BaseEntry(base.name(), base.repository(), base.tag(), newest, children);
    }

    private ChildEntry child(BaseImageConfig base, DependentConfig dependent, ImageDigest newest, List<BaseVersion> versions) {
        Optional<ImageLineage> newestChild = history.children(dependent.produces()).stream()
                .filter(c -> c.baseRepository().equals(base.repository()))
                .reduce((older, newer) -> newer);
        if (newestChild.isEmpty()) {
            return new ChildEntry(dependent.name(), dependent.produces(), null, null, null, false, List.of());
        }
        ImageLineage lineage = newestChild.get();
        return new ChildEntry(dependent.name(), dependent.produces(), lineage.digest(), lineage.baseDigest(),
                behind(lineage.baseDigest(), newest, versions), revoked.isRevoked(base.repository(), lineage.baseDigest()),
                runningIn(dependent.produces(), lineage.digest()));
    }

    /**
     * Base versions seen after {@code baseDigest}. A newest digest the history has not seen yet (pushed, but its event
     * not handled) still counts as one version ahead.
     */
    static Integer behind(ImageDigest baseDigest, ImageDigest newest, List<BaseVersion> versions) {
        if (baseDigest.equals(newest)) {
            return 0;
        }
        int position = -1;
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i).digest().equals(baseDigest)) {
                position = i;
            }
        }
        if (position < 0) {
            return null;
        }
        int after = versions.size() - 1 - position;
        boolean newestUnseen = newest != null && versions.stream().noneMatch(v -> v.digest().equals(newest));
        return after + (newestUnseen ? 1 : 0);
    }

    private ImageDigest newestDigest(BaseImageConfig base) {
        ImageReference tagged = new ImageReference(account + ".dkr.ecr." + region + ".amazonaws.com", base.repository(),
                base.tag(), null);
        try {
            return registry.digestOf(tagged);
        } catch (ImageRegistry.ImageNotFoundException | ImageRegistry.ImageRegistryException e) {
            return null;
        }
    }

    private List<String> runningIn(String repository, ImageDigest image) {
        if (ecs == null) {
            return List.of();
        }
        List<String> running = new ArrayList<>();
        for (ServiceConfig service : config.services()) {
            if (!repository.equals(service.repository())) {
                continue;
            }
            for (EnvironmentConfig environment : service.environments()) {
                EcsServiceRef ref = EcsServiceRef.of(environment);
                TaskDefinitionSnapshot snapshot;
                try {
                    snapshot = ecs.describeTaskDefinition(ref, ecs.currentTaskDefinitionArn(ref));
                } catch (EcsGateway.EcsTargetNotFoundException | EcsGateway.EcsGatewayException e) {
                    continue;
                }
                boolean runs = snapshot.containers().stream()
                        .map(c -> ImageReference.parse(c.image()))
                        .anyMatch(i -> repository.equals(i.repository()) && image.value().equals(i.digest()));
                if (runs) {
                    running.add(service.name() + "/" + environment.name());
                }
            }
        }
        return List.copyOf(running);
    }
}
