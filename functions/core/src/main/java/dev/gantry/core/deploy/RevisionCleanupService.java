package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deregisters old revisions of a task-definition family after a deploy moved a service to a new one, so families
 * do not grow without bound. Which revisions go is {@link RevisionCleanupPolicy}'s decision: the newest
 * {@code keepRevisions} of the environment stay, and so does every revision a configured service in the same account
 * and region still runs, the revision just deployed and the one it replaced.
 *
 * <p>Errors: none. A cleanup is housekeeping: when ECS refuses or fails a call, the failure is logged and returned as
 * {@link RevisionCleanup.Status#FAILED}, never thrown, so it cannot fail the deploy it follows.
 */
public final class RevisionCleanupService {

    /**
     * Deregistrations per deploy. ECS throttles DeregisterTaskDefinition, and the cleanup runs inside the deploy's
     * invocation: a family with a long history is worked off over several deploys instead.
     */
    public static final int DEFAULT_LIMIT = 10;

    private static final Logger LOG = LoggerFactory.getLogger(RevisionCleanupService.class);

    private final GantryConfig config;
    private final EcsGateway ecs;
    private final int limit;

    public RevisionCleanupService(GantryConfig config, EcsGateway ecs) {
        this(config, ecs, DEFAULT_LIMIT);
    }

    /** @param limit at most this many deregistrations per cleanup; at least 1 */
    public RevisionCleanupService(GantryConfig config, EcsGateway ecs, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        this.config = config;
        this.ecs = ecs;
        this.limit = limit;
    }

    /**
     * Cleans up the family of {@code deployedTaskDefinitionArn} after {@code environment}'s service was moved to it.
     * Call it once UpdateService succeeded, never on a dry run.
     *
     * @param previousTaskDefinitionArn the revision the service ran before; kept as the rollback target (may be null)
     * @param deployedTaskDefinitionArn the revision the service was moved to; kept
     * @return what was done; never throws
     */
    public RevisionCleanup afterDeploy(EnvironmentConfig environment, String previousTaskDefinitionArn, String deployedTaskDefinitionArn) {
        String family = TaskDefinitionArn.familyOf(deployedTaskDefinitionArn).orElse(null);
        if (family == null) {
            return logged(new RevisionCleanup(RevisionCleanup.Status.SKIPPED, null, List.of(), 0,
                    "'" + deployedTaskDefinitionArn + "' is not a task-definition revision ARN, so its family is unknown"));
        }
        EcsServiceRef target = EcsServiceRef.of(environment);
        List<String> deregistered = new ArrayList<>();
        try {
            List<String> revisions = ecs.revisionsOf(target, family);
            if (revisions.size() <= environment.keepRevisions()) {
                // Nothing can go, so the services need not be described.
                return logged(new RevisionCleanup(RevisionCleanup.Status.CLEANED, family, List.of(), 0, null));
            }
            Set<String> inUse = ecs.taskDefinitionsInUse(target, servicesSharingTaskDefinitionsWith(target));
            Set<String> kept = new HashSet<>();
            kept.add(deployedTaskDefinitionArn);
            if (previousTaskDefinitionArn != null) {
                kept.add(previousTaskDefinitionArn);
            }
            RevisionCleanupPolicy.Plan plan = RevisionCleanupPolicy.plan(family, revisions, environment.keepRevisions(), inUse, kept, limit);
            plan.spared().forEach((arn, why) -> LOG.info("kept {}: {}", arn, why));
            for (String arn : plan.deregister()) {
                ecs.deregister(target, arn);
                deregistered.add(arn);
            }
            return logged(new RevisionCleanup(RevisionCleanup.Status.CLEANED, family, deregistered, plan.deferred(), null));
        } catch (RuntimeException e) {
            LOG.warn("revision cleanup of {} for {} failed; the deploy is unaffected", family, target, e);
            return logged(new RevisionCleanup(RevisionCleanup.Status.FAILED, family, deregistered, 0, e.getMessage()));
        }
    }

    /** Every configured service in the target's account and region: only they can run its family's revisions. */
    private List<EcsServiceRef> servicesSharingTaskDefinitionsWith(EcsServiceRef target) {
        return config.services().stream()
                .flatMap(s -> s.environments().stream())
                .map(EcsServiceRef::of)
                .filter(target::sameLocationAs)
                .toList();
    }

    private static RevisionCleanup logged(RevisionCleanup cleanup) {
        if (cleanup.status() == RevisionCleanup.Status.CLEANED) {
            LOG.info("{}{}", cleanup.describe(), cleanup.deregistered().isEmpty() ? "" : ": " + cleanup.deregistered());
        } else {
            LOG.warn(cleanup.describe());
        }
        return cleanup;
    }
}
