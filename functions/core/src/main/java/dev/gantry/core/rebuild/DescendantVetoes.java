package dev.gantry.core.rebuild;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps images built on a revoked base out of every environment: the deploy function already refuses a vetoed digest,
 * so a veto per environment is how revocation blocks deploys without the deploy path learning about lineage.
 */
final class DescendantVetoes {

    /** Lineage chains are a few images deep; the bound only ends a walk over corrupt, cyclic records. */
    private static final int MAX_ANCESTRY = 32;

    private final GantryConfig config;
    private final DeployControls controls;
    private final RevokedBases revoked;
    private final RebuildLedger ledger;
    private final Clock clock;

    DescendantVetoes(GantryConfig config, DeployControls controls, RevokedBases revoked, RebuildLedger ledger, Clock clock) {
        this.config = config;
        this.controls = controls;
        this.revoked = revoked;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** The revoked base {@code digest} of {@code repository} is, or descends from, through the recorded lineage. */
    Optional<RevokedBase> revokedAncestor(String repository, ImageDigest digest) {
        String currentRepository = repository;
        ImageDigest current = digest;
        Set<String> seen = new HashSet<>();
        for (int step = 0; step < MAX_ANCESTRY && seen.add(currentRepository + "@" + current.value()); step++) {
            Optional<RevokedBase> found = revoked.find(currentRepository, current);
            if (found.isPresent()) {
                return found;
            }
            Optional<ImageLineage> parent = ledger.lineage(currentRepository, current);
            if (parent.isEmpty()) {
                return Optional.empty();
            }
            currentRepository = parent.get().baseRepository();
            current = parent.get().baseDigest();
        }
        return Optional.empty();
    }

    /**
     * Vetoes {@code digest} in every environment of every service deployed from {@code repository}. An environment
     * that has a veto of the digest already keeps it, so an operator's own reason is not overwritten and revoking
     * again changes nothing.
     *
     * @return the vetoes added
     */
    List<Veto> veto(String repository, ImageDigest digest, RevokedBase cause) {
        List<Veto> added = new ArrayList<>();
        for (ServiceConfig service : servicesOf(repository)) {
            for (EnvironmentConfig environment : service.environments()) {
                if (controls.vetoOf(service.name(), environment.name(), digest).isPresent()) {
                    continue;
                }
                Veto veto = new Veto(service.name(), environment.name(), digest, "built on revoked base " + cause.describe()
                        + " (" + cause.digest().value() + "): " + cause.reason(), cause.revokedBy(), clock.instant());
                controls.veto(veto);
                added.add(veto);
            }
        }
        return added;
    }

    List<ServiceConfig> servicesOf(String repository) {
        return config.services().stream().filter(s -> repository.equals(s.repository())).toList();
    }
}
