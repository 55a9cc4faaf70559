package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.TagPolicy;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.ReleaseStore.Claim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Deploys a pushed application image: for each service environment the push is a release of, registers
 * a task-definition revision pinned to the digest and moves the ECS service to it, once per
 * (service, environment, digest) however often the event arrives.
 *
 * <p>Errors: {@link MalformedEventException} for an event that cannot be deployed as given;
 * {@link DeployFailedException} when any environment failed (the others are still attempted, and the
 * retry of the event skips those that succeeded). A release another invocation is carrying out right
 * now is reported as a duplicate: that invocation finishes it, or its failure reaches the failure queue.
 */
public final class DeployService {

    /**
     * How long a claim protects a release in progress. Longer than the function timeout, so a live
     * invocation never loses its lease, and short enough that a retry after a crash finds it expired.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(90);

    private static final Logger LOG = LoggerFactory.getLogger(DeployService.class);

    private final GantryConfig config;
    private final EcsGateway ecs;
    private final ReleaseStore releases;
    private final Clock clock;
    private final Duration lease;
    private final boolean dryRun;

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, Clock clock, Duration lease, boolean dryRun) {
        this.config = config;
        this.ecs = ecs;
        this.releases = releases;
        this.clock = clock;
        this.lease = lease;
        this.dryRun = dryRun;
    }

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, Clock clock) {
        this(config, ecs, releases, clock, DEFAULT_LEASE, false);
    }

    /** The same service, read-only: it plans and reports, and changes nothing in ECS or the store. */
    public DeployService dryRun() {
        return new DeployService(config, ecs, releases, clock, lease, true);
    }

    /**
     * Deploys a pushed image to every service and environment it is a release of.
     *
     * @param invocationId identifies this attempt as the lease owner; unique per invocation
     */
    public DeployReport onImagePush(ImagePush push, String invocationId) {
        if (!push.isSuccessfulPush()) {
            return ignore(push, "ECR " + push.action() + " " + push.result() + " of " + push.repository() + " needs no deploy");
        }
        List<ServiceConfig> services = config.servicesForRepository(push.repository());
        if (services.isEmpty()) {
            return ignore(push, "repository '" + push.repository() + "' belongs to no service in the configuration");
        }
        if (push.tag() == null || push.tag().isEmpty()) {
            return ignore(push, "untagged push to " + push.repository() + ": releases are chosen by tag, so it is not deployed");
        }
        ImageDigest digest;
        try {
            digest = ImageDigest.parse(push.digest());
        } catch (ImageDigest.InvalidDigestException e) {
            throw new MalformedEventException("detail.image-digest: " + e.getMessage(), e);
        }
        ImageReference image = ImageReference.ecr(push.account(), push.region(), push.repository(), digest);

        List<DeployOutcome> outcomes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ServiceConfig service : services) {
            TagPolicy policy = service.tagPolicy().toPolicy();
            if (!policy.matches(push.tag())) {
                for (EnvironmentConfig environment : service.environments()) {
                    outcomes.add(logged(DeployOutcome.of(service.name(), environment.name(), Result.SKIPPED,
                            "tag '" + push.tag() + "' is not a release under " + policy.describe())));
                }
                continue;
            }
            DeployRequest request = new DeployRequest(service.name(), null, image, push.tag(), push.eventId(), push.time());
            deployEach(service, request, invocationId, outcomes, failures);
        }
        return report(push.eventId(), image, outcomes, failures);
    }

    /**
     * Deploys {@code request.image()} to the requested environments of a service, whatever its tag
     * policy says: the caller (a pipeline, an operator) chose this image.
     *
     * @throws UnknownTargetException when the service or environment is not in the configuration
     */
    public DeployReport deploy(DeployRequest request, String invocationId) {
        ServiceConfig service = config.services().stream()
                .filter(s -> s.name().equals(request.service()))
                .findFirst()
                .orElseThrow(() -> new UnknownTargetException("no service '" + request.service() + "' in the configuration"));
        if (request.environment() != null && service.environments().stream().noneMatch(e -> e.name().equals(request.environment()))) {
            throw new UnknownTargetException("service '" + service.name() + "' has no environment '" + request.environment() + "'");
        }
        List<DeployOutcome> outcomes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        deployEach(service, request, invocationId, outcomes, failures);
        return report(request.eventId(), request.image(), outcomes, failures);
    }

    private void deployEach(ServiceConfig service, DeployRequest request, String invocationId, List<DeployOutcome> outcomes,
            List<String> failures) {
        ImageDigest digest = new ImageDigest(request.image().digest());
        for (EnvironmentConfig environment : service.environments()) {
            if (request.environment() != null && !request.environment().equals(environment.name())) {
                continue;
            }
            MDC.put("service", service.name());
            MDC.put("environment", environment.name());
            MDC.put("digest", digest.value());
            try {
                if (environment.gated()) {
                    outcomes.add(logged(DeployOutcome.of(service.name(), environment.name(), Result.HELD,
                            "behind gate '" + environment.gate() + "': gated environments are entered when their gate passes, not on push")));
                } else if (dryRun) {
                    outcomes.add(logged(plan(service, environment, request.image())));
                } else {
                    outcomes.add(logged(deploy(service, environment, request, digest, invocationId)));
                }
            } catch (RuntimeException e) {
                LOG.error("deploy of {} to {}/{} failed", digest.shortForm(), service.name(), environment.name(), e);
                failures.add(service.name() + "/" + environment.name() + ": " + e.getMessage());
            } finally {
                MDC.remove("service");
                MDC.remove("environment");
                MDC.remove("digest");
            }
        }
    }

    private static DeployReport report(String eventId, ImageReference image, List<DeployOutcome> outcomes, List<String> failures) {
        if (!failures.isEmpty()) {
            throw new DeployFailedException(image.repository() + "@" + new ImageDigest(image.digest()).shortForm() + " failed in "
                    + String.join("; ", failures));
        }
        return new DeployReport(eventId, image.render(), false, null, outcomes);
    }

    /** What a deploy would change, read-only: the dry-run answer. */
    private DeployOutcome plan(ServiceConfig service, EnvironmentConfig environment, ImageReference image) {
        EcsServiceRef target = EcsServiceRef.of(environment);
        String from = ecs.currentTaskDefinitionArn(target);
        DeployPlan plan = DeployPlanner.plan(service, environment, ecs.describeTaskDefinition(target, from), image);
        return new DeployOutcome(service.name(), environment.name(), plan.isNoOp() ? Result.UNCHANGED : Result.PLANNED,
                plan.isNoOp() ? target + " already runs " + image.render() : "dry run: would register a revision of " + from
                        + " and move " + target + " to it", from, null, plan.describe());
    }

    private DeployOutcome deploy(ServiceConfig service, EnvironmentConfig environment, DeployRequest request, ImageDigest digest,
            String owner) {
        ReleaseKey key = new ReleaseKey(service.name(), environment.name(), digest);
        Instant now = clock.instant();
        Release proposed = Release.proposed(key, request.tag(), request.image().render(), request.eventId(), owner, now.plus(lease), now);
        Claim claim = releases.claim(proposed, now, lease);
        return switch (claim) {
            case Claim.AlreadyDone done -> new DeployOutcome(service.name(), environment.name(), Result.DUPLICATE,
                    "release " + key.id() + " was already deployed (event " + done.release().eventId() + ")",
                    done.release().previousTaskDefinitionArn(), done.release().taskDefinitionArn(), done.release().changes());
            // The holder finishes it, or its own failure lands in the failure queue: either way this copy adds nothing.
            case Claim.HeldElsewhere held -> new DeployOutcome(service.name(), environment.name(), Result.DUPLICATE,
                    "release " + key.id() + " is being deployed by another invocation (lease until " + held.release().leaseUntil() + ")",
                    null, null, List.of());
            case Claim.Granted granted -> {
                try {
                    yield carryOut(service, environment, granted.release(), request.image(), owner);
                } catch (RuntimeException e) {
                    releases.abandon(key, owner, clock.instant());
                    throw e;
                }
            }
        };
    }

    private DeployOutcome carryOut(ServiceConfig service, EnvironmentConfig environment, Release release, ImageReference image,
            String owner) {
        EcsServiceRef target = EcsServiceRef.of(environment);
        String from;
        String to;
        List<String> changes;
        if (release.status() == ReleaseStatus.REGISTERED && release.taskDefinitionArn() != null) {
            // An earlier attempt registered the revision and died before UpdateService: reuse it, so a
            // retry never leaves a second, orphaned revision behind.
            from = release.previousTaskDefinitionArn();
            to = release.taskDefinitionArn();
            changes = release.changes();
            LOG.info("resuming release {}: reusing registered revision {}", release.key().id(), to);
        } else {
            from = ecs.currentTaskDefinitionArn(target);
            TaskDefinitionSnapshot current = ecs.describeTaskDefinition(target, from);
            DeployPlan plan = DeployPlanner.plan(service, environment, current, image);
            if (plan.isNoOp()) {
                releases.recordRegistered(release.key(), owner, from, from, List.of(), clock.instant());
                releases.recordServiceUpdated(release.key(), owner, clock.instant());
                return new DeployOutcome(service.name(), environment.name(), Result.UNCHANGED,
                        target + " already runs " + image.render() + " in " + from, from, from, List.of());
            }
            to = ecs.registerRevision(target, from, plan.imageByContainer());
            changes = plan.describe();
            releases.recordRegistered(release.key(), owner, from, to, changes, clock.instant());
        }
        ecs.updateService(target, to);
        releases.recordServiceUpdated(release.key(), owner, clock.instant());
        return new DeployOutcome(service.name(), environment.name(), Result.DEPLOYED,
                target + " moved from " + from + " to " + to, from, to, changes);
    }

    private static DeployReport ignore(ImagePush push, String reason) {
        LOG.info("ignored event {}: {}", push.eventId(), reason);
        return DeployReport.ignored(push.eventId(), reason);
    }

    private static DeployOutcome logged(DeployOutcome outcome) {
        LOG.info("{}/{}: {}: {}", outcome.service(), outcome.environment(), outcome.result(), outcome.reason());
        return outcome;
    }

    /** The request names a service or environment the configuration does not have. */
    public static final class UnknownTargetException extends RuntimeException {
        public UnknownTargetException(String message) {
            super(message);
        }
    }

    /** One or more environments failed; the message names each with its reason. */
    public static final class DeployFailedException extends RuntimeException {
        public DeployFailedException(String message) {
            super(message);
        }
    }

}
