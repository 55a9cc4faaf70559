package dev.gantry.core.rollout;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.RolloutOutcome.Result;
import dev.gantry.core.rollout.RolloutPolicy.Assessment;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Follows the ECS rollouts Gantry started to their end: records on each release how its rollout went,
 * and vetoes a digest that ECS rolled back, so that it is not deployed to that environment again.
 *
 * <p>A deployment event is matched to a release through ECS: the deployment's task-definition revision
 * is the one the release registered. Events about services Gantry does not manage, deployments ECS no
 * longer lists and revisions no Gantry release registered are ignored, with the reason. Events arrive
 * late, twice and out of order; {@link RolloutPolicy} decides what still changes a release.
 *
 * <p>Errors: {@link ReleaseNotReadyException} when the release of a deployment has not recorded its
 * service update yet (the deploy is still finishing: a retry or replay of the event finds it done); the
 * ECS port's and the stores' exceptions pass through, so that the invocation fails rather than drops
 * the event.
 */
public final class RolloutService {

    /** Who a rollback veto is by, as operators see it on the veto. */
    public static final String ROLLBACK_VETO_BY = "ecs-rollback";

    private static final Logger LOG = LoggerFactory.getLogger(RolloutService.class);

    private final GantryConfig config;
    private final EcsDeployments ecs;
    private final ReleaseStore releases;
    private final DeployControls controls;
    private final Clock clock;
    private final boolean dryRun;

    public RolloutService(GantryConfig config, EcsDeployments ecs, ReleaseStore releases, DeployControls controls, Clock clock) {
        this(config, ecs, releases, controls, clock, false);
    }

    private RolloutService(GantryConfig config, EcsDeployments ecs, ReleaseStore releases, DeployControls controls, Clock clock,
            boolean dryRun) {
        this.config = config;
        this.ecs = ecs;
        this.releases = releases;
        this.controls = controls;
        this.clock = clock;
        this.dryRun = dryRun;
    }

    /** The same service, read-only: it reports what it would record and veto, and writes nothing. */
    public RolloutService dryRun() {
        return new RolloutService(config, ecs, releases, controls, clock, true);
    }

    /** Records what a deployment event means for the release of that deployment. */
    public RolloutReport onDeploymentStateChange(DeploymentStateChange event) {
        Optional<Target> found = targetOf(event.service());
        if (found.isEmpty()) {
            return ignore(event.eventId(), "ECS service " + event.service() + " is not a service environment in the configuration");
        }
        Target target = found.get();
        List<EcsDeploymentState> deployments = ecs.deploymentsOf(target.ecs());
        Optional<EcsDeploymentState> named = deployments.stream().filter(d -> d.id().equals(event.deploymentId())).findFirst();
        if (named.isEmpty()) {
            return ignore(event.eventId(), "ECS no longer lists deployment " + event.deploymentId() + " of " + target
                    + ", so its revision, and with it the release, is unknown");
        }
        EcsDeploymentState deployment = named.get();
        List<Release> history = releases.history(target.service(), target.environment());
        List<RolloutOutcome> outcomes = new ArrayList<>();
        Optional<Release> release = releaseOf(history, deployment.taskDefinitionArn());
        if (release.isEmpty()) {
            outcomes.add(logged(RolloutOutcome.ignored(target.service(), target.environment(), deployment.id(), deployment.taskDefinitionArn(),
                    "deployment " + deployment.id() + " runs " + deployment.taskDefinitionArn() + ", which no Gantry release of "
                            + target + " registered")));
        } else {
            if (release.get().status() != ReleaseStatus.SERVICE_UPDATED) {
                throw new ReleaseNotReadyException("release " + release.get().key().id() + " of deployment " + deployment.id()
                        + " has not recorded its service update yet; the event is retried");
            }
            outcomes.add(settle(target, deployment, event, deployments, release.get()));
        }
        // A rollback's own events settle the deployment it replaced as well: the failure may have been
        // recorded before the rollback was visible, and no later event names the failed deployment.
        if (deployment.isPrimary()) {
            for (EcsDeploymentState replaced : deployments) {
                if (!replaced.isPrimary() && replaced.rolloutState() == RolloutState.FAILED) {
                    releaseOf(history, replaced.taskDefinitionArn())
                            .filter(r -> r.status() == ReleaseStatus.SERVICE_UPDATED)
                            .ifPresent(r -> outcomes.add(settle(target, replaced, event, deployments, r)));
                }
            }
        }
        return new RolloutReport(event.eventId(), false, null, outcomes);
    }

    /** Adds why a task of a release whose rollout is still under way stopped to what the release records. */
    public RolloutReport onTaskStateChange(TaskStateChange task) {
        if (!task.isStopped()) {
            return ignore(task.eventId(), "task " + task.taskArn() + " is " + task.lastStatus() + ": only stopped tasks tell a rollout anything");
        }
        if (task.service() == null) {
            return ignore(task.eventId(), "task " + task.taskArn() + " was not started by an ECS service");
        }
        Optional<Target> found = targetOf(task.service());
        if (found.isEmpty()) {
            return ignore(task.eventId(), "ECS service " + task.service() + " is not a service environment in the configuration");
        }
        Target target = found.get();
        Optional<Release> match = releaseOf(releases.history(target.service(), target.environment()), task.taskDefinitionArn());
        if (match.isEmpty()) {
            return report(task.eventId(), logged(RolloutOutcome.ignored(target.service(), target.environment(), null, task.taskDefinitionArn(),
                    "task " + task.taskArn() + " ran " + task.taskDefinitionArn() + ", which no Gantry release of " + target + " registered")));
        }
        Release release = match.get();
        return report(task.eventId(), withRelease(release, () -> {
            if (release.status() != ReleaseStatus.SERVICE_UPDATED) {
                return logged(RolloutOutcome.ignored(target.service(), target.environment(), null, task.taskDefinitionArn(),
                        "release " + release.key().id() + " has not updated its service yet"));
            }
            if (!RolloutPolicy.acceptsTaskStop(release.rolloutStatus())) {
                return logged(RolloutOutcome.unchanged(target.service(), target.environment(), release.key().id(), null,
                        task.taskDefinitionArn(), release.rolloutStatus(),
                        "the rollout already ended " + release.rolloutStatus() + "; tasks stopping since are not part of it"));
            }
            // The status stays what it was: one stopped task neither fails nor completes a rollout.
            RolloutStatus status = release.rolloutStatus() == null ? RolloutStatus.PENDING : release.rolloutStatus();
            String reason = RolloutPolicy.describeStop(task);
            if (dryRun) {
                return logged(new RolloutOutcome(target.service(), target.environment(), release.key().id(), null, task.taskDefinitionArn(),
                        Result.PLANNED, status, "dry run: would record " + reason, false));
            }
            releases.recordRollout(release.key(), status, reason, clock.instant());
            return logged(new RolloutOutcome(target.service(), target.environment(), release.key().id(), null, task.taskDefinitionArn(),
                    Result.RECORDED, status, reason, false));
        }));
    }

    private RolloutOutcome settle(Target target, EcsDeploymentState deployment, DeploymentStateChange event,
            List<EcsDeploymentState> deployments, Release release) {
        return withRelease(release, () -> {
            Assessment assessment = RolloutPolicy.assess(deployment, event, deployments, release.previousTaskDefinitionArn());
            if (!RolloutPolicy.replaces(release.rolloutStatus(), assessment.status())) {
                return logged(RolloutOutcome.unchanged(target.service(), target.environment(), release.key().id(), deployment.id(),
                        deployment.taskDefinitionArn(), release.rolloutStatus(), "the release already recorded " + release.rolloutStatus()
                                + ", which " + assessment.status() + " does not replace"));
            }
            if (dryRun) {
                return logged(new RolloutOutcome(target.service(), target.environment(), release.key().id(), deployment.id(),
                        deployment.taskDefinitionArn(), Result.PLANNED, assessment.status(), "dry run: would record "
                                + assessment.status() + (assessment.status() == RolloutStatus.ROLLED_BACK ? " and veto the digest" : "")
                                + ": " + assessment.reason(), false));
            }
            boolean vetoed = false;
            if (assessment.status() == RolloutStatus.ROLLED_BACK) {
                // Veto before recording: if the invocation dies in between, the retry still finds the
                // rollout unrecorded and vetoes again, rather than finding it recorded and never vetoing.
                controls.veto(new Veto(target.service(), target.environment(), release.key().digest(),
                        "ECS rolled back deployment " + deployment.id() + ": " + assessment.reason(), ROLLBACK_VETO_BY, clock.instant()));
                vetoed = true;
            }
            if (!releases.recordRollout(release.key(), assessment.status(), assessment.reason(), clock.instant())) {
                // Another copy of this event, or a later one, recorded a final status since the history was read: it
                // vetoed and told what it recorded, and this copy adds nothing.
                RolloutStatus recorded = releases.find(release.key()).map(Release::rolloutStatus).orElse(assessment.status());
                return logged(RolloutOutcome.unchanged(target.service(), target.environment(), release.key().id(), deployment.id(),
                        deployment.taskDefinitionArn(), recorded, "the release recorded " + recorded + " meanwhile, which "
                                + assessment.status() + " does not replace"));
            }
            return logged(new RolloutOutcome(target.service(), target.environment(), release.key().id(), deployment.id(),
                    deployment.taskDefinitionArn(), Result.RECORDED, assessment.status(), assessment.reason(), vetoed));
        });
    }

    /**
     * The newest release that moved the service to {@code taskDefinitionArn}. A release that found its
     * image already running moved nothing, made no ECS deployment, and so is never the one an event means.
     */
    private static Optional<Release> releaseOf(List<Release> history, String taskDefinitionArn) {
        return history.stream()
                .filter(r -> taskDefinitionArn != null && taskDefinitionArn.equals(r.taskDefinitionArn()))
                .filter(r -> !taskDefinitionArn.equals(r.previousTaskDefinitionArn()))
                .findFirst();
    }

    /**
     * The configured environment running {@code ref}. Compared by location and name only: events do not
     * say how Gantry reaches a service, the configuration does, and ECS is then called as it says.
     */
    private Optional<Target> targetOf(EcsServiceRef ref) {
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                if (environment.account().equals(ref.account()) && environment.region().equals(ref.region())
                        && environment.cluster().equals(ref.cluster()) && environment.service().equals(ref.service())) {
                    return Optional.of(new Target(service.name(), environment.name(), EcsServiceRef.of(environment)));
                }
            }
        }
        return Optional.empty();
    }

    private static <T> T withRelease(Release release, Supplier<T> work) {
        MDC.put("service", release.key().service());
        MDC.put("environment", release.key().environment());
        MDC.put("digest", release.key().digest().value());
        try {
            return work.get();
        } finally {
            MDC.remove("service");
            MDC.remove("environment");
            MDC.remove("digest");
        }
    }

    private static RolloutReport report(String eventId, RolloutOutcome outcome) {
        return new RolloutReport(eventId, false, null, List.of(outcome));
    }

    private static RolloutReport ignore(String eventId, String reason) {
        LOG.info("ignored event {}: {}", eventId, reason);
        return RolloutReport.ignored(eventId, reason);
    }

    private static RolloutOutcome logged(RolloutOutcome outcome) {
        LOG.info("{}/{}: {}{}: {}", outcome.service(), outcome.environment(), outcome.result(),
                outcome.release() == null ? "" : " " + outcome.release(), outcome.reason());
        return outcome;
    }

    /** A configured service environment, and its ECS service as the configuration reaches it. */
    private record Target(String service, String environment, EcsServiceRef ecs) {
        @Override
        public String toString() {
            return service + "/" + environment;
        }
    }

    /**
     * The release of a deployment registered its revision, and ECS is rolling it out, but the deploy has
     * not recorded its service update yet (it is finishing, or died before it could). Failing keeps the
     * event: Lambda retries it or parks it in the failure queue, and a replay once the deploy has finished
     * records it, where ignoring it could lose a rollback and its veto.
     */
    public static final class ReleaseNotReadyException extends RuntimeException {
        public ReleaseNotReadyException(String message) {
            super(message);
        }
    }
}
