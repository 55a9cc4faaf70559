package dev.gantry.core.rebuild;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.rebuild.RevocationReport.RunningImage;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Revokes a base image digest (a CVE in it, a broken build): records the revocation, so images built on it later are
 * refused too; vetoes every image known to descend from it in every environment of the services deployed from that
 * image's repository, which is how deploys of them are blocked; lists the environments running one; and rebuilds the
 * base's dependents on the digest its tag points at now.
 *
 * <p>Revoking a digest again changes nothing that is already in place: the first revocation stays, existing vetoes are
 * kept, and the rebuilds are the same ones (their occasion is the revoked digest).
 *
 * <p>Errors: {@link IllegalArgumentException} when the person or reason is missing or the digest is malformed. An
 * environment whose task definition ECS cannot show is reported as unreadable, not an error, so one unreachable
 * account does not stop the revocation.
 */
public final class RevocationService {

    private final LineageGraph graph;
    private final RebuildLedger ledger;
    private final RevokedBases revoked;
    private final DescendantVetoes vetoes;
    private final EcsGateway ecs;
    private final RebuildService rebuilds;
    private final Clock clock;

    /** @param rebuilds built with the same {@code revoked}, so it refuses to rebuild on the revoked digest */
    public RevocationService(GantryConfig config, RebuildLedger ledger, RevokedBases revoked, DeployControls controls,
            EcsGateway ecs, RebuildService rebuilds, Clock clock) {
        this.graph = LineageGraph.of(Objects.requireNonNull(config, "config"));
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.revoked = Objects.requireNonNull(revoked, "revoked");
        this.ecs = Objects.requireNonNull(ecs, "ecs");
        this.rebuilds = Objects.requireNonNull(rebuilds, "rebuilds");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.vetoes = new DescendantVetoes(config, Objects.requireNonNull(controls, "controls"), revoked, ledger, clock);
    }

    public RevocationReport revoke(String baseRepository, String baseDigest, String revokedBy, String reason) {
        Objects.requireNonNull(baseRepository, "baseRepository");
        ImageDigest digest = ImageDigest.parse(baseDigest);
        RevokedBase asked = new RevokedBase(baseRepository, digest, required(revokedBy, "person revoking"),
                required(reason, "reason"), clock.instant());
        // Recorded first: a child pushed while the rest runs is then vetoed by the rebuild service itself.
        boolean alreadyRevoked = !revoked.revoke(asked);
        RevokedBase inForce = revoked.find(baseRepository, digest).orElse(asked);

        List<ImageLineage> descendants = descendantsOf(baseRepository, digest);
        List<Veto> added = new ArrayList<>();
        for (ImageLineage descendant : descendants) {
            added.addAll(vetoes.veto(descendant.repository(), descendant.digest(), inForce));
        }
        List<RunningImage> running = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        findRunning(descendants, running, unreadable);

        List<RebuildReport> rebuildReports = affectedBases(baseRepository, digest, descendants).stream()
                .map(base -> rebuilds.rebuildAfterRevocation(base.name(), digest, inForce.revokedBy(), inForce.reason()))
                .toList();
        return new RevocationReport(inForce, alreadyRevoked, descendants, added, running, unreadable, rebuildReports);
    }

    /** Every image built on the digest, then on those images, and so on; each once, nearest first. */
    private List<ImageLineage> descendantsOf(String baseRepository, ImageDigest digest) {
        Map<String, ImageLineage> found = new LinkedHashMap<>();
        Deque<ImageLineage> toVisit = new ArrayDeque<>(ledger.builtOn(baseRepository, digest));
        while (!toVisit.isEmpty()) {
            ImageLineage child = toVisit.removeFirst();
            if (found.putIfAbsent(child.repository() + "@" + child.digest().value(), child) == null) {
                toVisit.addAll(ledger.builtOn(child.repository(), child.digest()));
            }
        }
        return List.copyOf(found.values());
    }

    /** Reads the running task definition of every environment of the services deployed from a descendant's repository. */
    private void findRunning(List<ImageLineage> descendants, List<RunningImage> running, List<String> unreadable) {
        Set<String> descendantImages = new LinkedHashSet<>();
        Set<String> repositories = new LinkedHashSet<>();
        for (ImageLineage d : descendants) {
            descendantImages.add(d.repository() + "@" + d.digest().value());
            repositories.add(d.repository());
        }
        for (String repository : repositories) {
            for (ServiceConfig service : vetoes.servicesOf(repository)) {
                for (EnvironmentConfig environment : service.environments()) {
                    EcsServiceRef ref = EcsServiceRef.of(environment);
                    TaskDefinitionSnapshot snapshot;
                    try {
                        snapshot = ecs.describeTaskDefinition(ref, ecs.currentTaskDefinitionArn(ref));
                    } catch (EcsGateway.EcsTargetNotFoundException | EcsGateway.EcsGatewayException e) {
                        unreadable.add(service.name() + "/" + environment.name() + " (" + ref + "): " + e.getMessage());
                        continue;
                    }
                    for (ContainerImage container : snapshot.containers()) {
                        ImageReference image = ImageReference.parse(container.image());
                        // A tag alone says nothing about lineage; only a pinned digest can be matched.
                        if (image.digest() != null && descendantImages.contains(image.repository() + "@" + image.digest())) {
                            running.add(new RunningImage(service.name(), environment.name(), snapshot.arn(), container.name(),
                                    container.image()));
                        }
                    }
                }
            }
        }
    }

    /**
     * The base images of the repository whose dependents were built on the revoked digest, or whose tag may still
     * point at it: a repository holding several bases (java21, java25) rebuilds only the ones concerned.
     */
    private List<BaseImageConfig> affectedBases(String baseRepository, ImageDigest digest, List<ImageLineage> descendants) {
        Set<String> directChildRepositories = new LinkedHashSet<>();
        descendants.stream()
                .filter(d -> d.baseRepository().equals(baseRepository) && d.baseDigest().equals(digest))
                .forEach(d -> directChildRepositories.add(d.repository()));
        List<BaseImageConfig> bases = graph.basesOfRepository(baseRepository);
        List<BaseImageConfig> concerned = bases.stream()
                .filter(base -> base.dependents().stream().anyMatch(dependent -> builtOnRevoked(dependent, digest,
                        directChildRepositories)))
                .toList();
        // Nothing recorded says which base the digest was, and images built without labels leave no lineage: rebuilding
        // every base of the repository on its current digest is the answer that leaves no descendant behind.
        return concerned.isEmpty() ? bases : concerned;
    }

    private boolean builtOnRevoked(DependentConfig dependent, ImageDigest digest, Set<String> directChildRepositories) {
        return directChildRepositories.contains(dependent.produces()) || !ledger.find(dependent.name(), digest).isEmpty();
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the " + what + " is required");
        }
        return value;
    }
}
