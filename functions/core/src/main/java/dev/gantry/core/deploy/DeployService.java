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
 * retry of the event skips those that succeeded); {@link ReleaseInProgressException} when another
 * invocation is deploying the same release right now (retry later).
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

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, Clock clock, Duration lease) {
        this.config = config;
        this.ecs = ecs;
        this.releases = releases;
        this.clock = clock;
        this.lease = lease;
    }

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, Clock clock) {
        this(config, ecs, releases, clock, DEFAULT_LEASE);
    }

    /**
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
            boolean isRelease = policy.matches(push.tag());
            for (EnvironmentConfig environment : service.environments()) {
                MDC.put("service", service.name());
                MDC.put("environment", environment.name());
                MDC.put("digest", digest.value());
                try {
                    if (!isRelease) {
                        outcomes.add(logged(DeployOutcome.of(service.name(), environment.name(), Result.SKIPPED,
                                "tag '" + push.tag() + "' is not a release under " + policy.describe())));
                    } else if (environment.gated()) {
                        outcomes.add(logged(DeployOutcome.of(service.name(), environment.name(), Result.HELD,
                                "behind gate '" + environment.gate() + "': gated environments are entered when their gate passes, not on push")));
                    } else {
                        outcomes.add(logged(deploy(service, environment, push, digest, image, invocationId)));
                    }
                } catch (ReleaseInProgressException e) {
                    throw e;
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
        if (!failures.isEmpty()) {
            throw new DeployFailedException(push.repository() + ":" + push.tag() + " (" + digest.shortForm() + ") failed in "
                    + String.join("; ", failures));
        }
        return new DeployReport(push.eventId(), image.render(), false, null, outcomes);
    }

    private DeployOutcome deploy(ServiceConfig service, EnvironmentConfig environment, ImagePush push, ImageDigest digest,
            ImageReference image, String owner) {
        ReleaseKey key = new ReleaseKey(service.name(), environment.name(), digest);
        Instant now = clock.instant();
        Release proposed = new Release(key, push.tag(), image.render(), push.eventId(), ReleaseStatus.CLAIMED, null, null,
                List.of(), owner, now.plus(lease), now, now);
        Claim claim = releases.claim(proposed, now, lease);
        return switch (claim) {
            case Claim.AlreadyDone done -> new DeployOutcome(service.name(), environment.name(), Result.DUPLICATE,
                    "release " + key.id() + " was already deployed (event " + done.release().eventId() + ")",
                    done.release().previousTaskDefinitionArn(), done.release().taskDefinitionArn(), done.release().changes());
            case Claim.HeldElsewhere held -> throw new ReleaseInProgressException(key, held.release().leaseUntil());
            case Claim.Granted granted -> {
                try {
                    yield carryOut(service, environment, granted.release(), image, owner);
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

    /** One or more environments failed; the message names each with its reason. */
    public static final class DeployFailedException extends RuntimeException {
        public DeployFailedException(String message) {
            super(message);
        }
    }

    /** Another invocation holds the release's lease; the event should be retried after it expires. */
    public static final class ReleaseInProgressException extends RuntimeException {
        public ReleaseInProgressException(ReleaseKey key, Instant leaseUntil) {
            super("release " + key.id() + " is being deployed by another invocation (lease until " + leaseUntil
                    + "); retry after that");
        }
    }
}
