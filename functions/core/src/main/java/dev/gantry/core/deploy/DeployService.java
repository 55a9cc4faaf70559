package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.TagPolicy;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseOrderPolicy;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.ReleaseStore.Claim;
import dev.gantry.core.release.RolloutStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Deploys a pushed application image: for each service environment the push is a release of, registers
 * a task-definition revision pinned to the digest and moves the ECS service to it, once per
 * (service, environment, digest) however often the event arrives.
 *
 * <p>Errors: {@link MalformedEventException} for an event that cannot be deployed as given;
 * {@link DeployFailedException} when any environment failed (the others are still attempted, the exception
 * carries what they came to, and the retry of the event skips those that succeeded). A release another invocation is carrying out right
 * now is reported as a duplicate: that invocation finishes it, or its failure reaches the failure queue.
 *
 * <p>A rollback ({@link DeployRequest#isRollback()}) is the one way a release is deployed a second time: see
 * {@link #deploy}.
 */
public final class DeployService {

    /**
     * How long a claim protects a release in progress. Longer than the function timeout, so a live
     * invocation never loses its lease, and short enough that a retry after a crash finds it expired.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(90);

    /**
     * The JSON log field holding the {@link DeployOutcome.Result} of each environment decided on, beside the line
     * {@code payments-api/staging: DEPLOYED: ...}: CloudWatch metric filters count deploys by it.
     */
    public static final String RESULT_LOG_FIELD = "deployResult";

    private static final Logger LOG = LoggerFactory.getLogger(DeployService.class);

    private final GantryConfig config;
    private final EcsGateway ecs;
    private final ReleaseStore releases;
    private final Clock clock;
    private final DeployControls controls;
    private final Duration lease;
    private final boolean dryRun;
    private final Pause pause;
    private final RevisionCleanupService revisionCleanup;
    private final GateService gates;
    private final Consumer<DeployReport> reportListener;

    /** Waits between attempts to take a busy environment's lock; {@code Thread::sleep} outside tests. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration);
    }

    /**
     * How long a deploy waits for another release of the same environment to finish before failing
     * (a deploy holds the lock for a few seconds; the function's timeout is 60).
     */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    /** Who a rollback's veto of the digest it left is by, when the request does not say who asked for it. */
    public static final String ROLLBACK_VETO_BY = "gantry-rollback";

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, DeployControls controls, Clock clock,
            Duration lease, boolean dryRun, Pause pause) {
        this(config, ecs, releases, controls, clock, lease, dryRun, pause, null);
    }

    /**
     * @param gates decides gated environments; null when none is wired, and then a gated environment is only
     *     ever held
     */
    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, DeployControls controls, Clock clock,
            Duration lease, boolean dryRun, Pause pause, GateService gates) {
        this(config, ecs, releases, controls, clock, lease, dryRun, pause, gates, null);
    }

    private DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, DeployControls controls, Clock clock,
            Duration lease, boolean dryRun, Pause pause, GateService gates, Consumer<DeployReport> reportListener) {
        this.gates = gates;
        this.reportListener = reportListener;
        this.config = config;
        this.ecs = ecs;
        this.releases = releases;
        this.controls = controls;
        this.clock = clock;
        this.lease = lease;
        this.dryRun = dryRun;
        this.pause = pause;
        this.revisionCleanup = new RevisionCleanupService(config, ecs);
    }

    public DeployService(GantryConfig config, EcsGateway ecs, ReleaseStore releases, DeployControls controls, Clock clock) {
        this(config, ecs, releases, controls, clock, DEFAULT_LEASE, false, DeployService::sleep);
    }

    /** The same service, read-only: it plans and reports, and changes nothing in ECS or the store. */
    public DeployService dryRun() {
        return new DeployService(config, ecs, releases, controls, clock, lease, true, pause, gates, reportListener);
    }

    /** Whether this service only plans and reports ({@link #dryRun()}). */
    public boolean isDryRun() {
        return dryRun;
    }

    /** The same service, with gated environments decided by {@code gateService}. */
    public DeployService withGates(GateService gateService) {
        return new DeployService(config, ecs, releases, controls, clock, lease, dryRun, pause, gateService, reportListener);
    }

    /**
     * The same service, handing {@code listener} the report of each {@link #deploy} (rollbacks included) and
     * {@link #deployAfterGate} it carries out, before returning it: for callers that tell no news of their own, such as
     * ChatOps. Not called in a dry run, which changed nothing, nor when the deploy failed. Whatever the listener throws
     * is logged and the report returned as it was: the deploy has happened by then.
     */
    public DeployService withReportListener(Consumer<DeployReport> listener) {
        return new DeployService(config, ecs, releases, controls, clock, lease, dryRun, pause, gates,
                Objects.requireNonNull(listener, "listener"));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the environment lock", e);
        }
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
            deployEach(service, request, policy, invocationId, outcomes, failures);
        }
        return report(push.eventId(), image, outcomes, failures);
    }

    /**
     * Deploys {@code request.image()} to the requested environments of a service, whatever its tag
     * policy says: the caller (a pipeline, an operator) chose this image. A pipeline's image is still held back
     * (SKIPPED) when it is older than what the environment runs, by version or push time as for a push
     * ({@link DeployRequest#ordered()}); an operator's is not.
     *
     * <p>A rollback request returns its environment to a release Gantry deployed there before, claimed again
     * through {@link ReleaseStore#claimRedeploy} so that the request (named by its event id) moves the service
     * once however often it is retried. Vetoes and pins apply as to any request. Under the environment's lock it
     * is carried out only while the environment still runs {@code request.rollbackFrom()} (else SKIPPED: someone
     * moved it since the rollback was asked for), and the digest it leaves is vetoed there first, so that nothing
     * brings it back unasked and a later rollback goes further back rather than forward to it. A gated environment
     * is not asked again: see {@link #rollBack}.
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
        deployEach(service, request, null, invocationId, outcomes, failures);
        return handToListener(report(request.eventId(), request.image(), outcomes, failures));
    }

    /**
     * Deploys a pushed release that waited at its environment's gate and has passed it. It is ordered against
     * what the environment runs exactly as the push would have been, under the service's tag policy: while it
     * waited, a newer release may have gone in (an operator's deploy, a retried earlier release), and Gantry
     * never downgrades.
     *
     * @throws UnknownTargetException when the service or environment is no longer in the configuration
     */
    public DeployReport deployAfterGate(DeployRequest request, String invocationId) {
        ServiceConfig service = config.services().stream()
                .filter(s -> s.name().equals(request.service()))
                .findFirst()
                .orElseThrow(() -> new UnknownTargetException("no service '" + request.service() + "' in the configuration"));
        if (request.environment() == null || service.environments().stream().noneMatch(e -> e.name().equals(request.environment()))) {
            throw new UnknownTargetException("service '" + service.name() + "' has no environment '" + request.environment() + "'");
        }
        List<DeployOutcome> outcomes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        deployEach(service, request, service.tagPolicy().toPolicy(), invocationId, outcomes, failures);
        return handToListener(report(request.eventId(), request.image(), outcomes, failures));
    }

    /**
     * @param policy the tag policy that chose the image, or null when a person or pipeline chose it. Chosen-by-policy
     *     images are held back for being older than what runs, and so are a pipeline's ({@link DeployRequest#ordered()}),
     *     ordered under the service's tag policy
     */
    private void deployEach(ServiceConfig service, DeployRequest request, TagPolicy policy, String invocationId,
            List<DeployOutcome> outcomes, List<String> failures) {
        ImageDigest digest = new ImageDigest(request.image().digest());
        for (EnvironmentConfig environment : service.environments()) {
            if (request.environment() != null && !request.environment().equals(environment.name())) {
                continue;
            }
            MDC.put("service", service.name());
            MDC.put("environment", environment.name());
            MDC.put("digest", digest.value());
            try {
                outcomes.add(logged(decide(service, environment, request, digest, policy, invocationId)));
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

    private DeployOutcome decide(ServiceConfig service, EnvironmentConfig environment, DeployRequest request, ImageDigest digest,
            TagPolicy policy, String invocationId) {
        if (environment.gated() && gates == null) {
            return DeployOutcome.of(service.name(), environment.name(), Result.HELD,
                    "behind gate '" + environment.gate() + "': gated environments are entered when their gate passes, not on push");
        }
        if (policy != null && !environment.autoDeploy()) {
            return DeployOutcome.of(service.name(), environment.name(), Result.HELD, "autoDeploy is off for " + environment.name()
                    + ": pushes do not deploy here; a pipeline's deploy action or an operator promotes to it");
        }
        Optional<DeployControls.Veto> veto = controls.vetoOf(service.name(), environment.name(), digest);
        if (veto.isPresent()) {
            return DeployOutcome.of(service.name(), environment.name(), Result.REFUSED, digest.shortForm() + " is vetoed for "
                    + environment.name() + " by " + veto.get().by() + " at " + veto.get().at() + ": " + veto.get().reason());
        }
        Instant now = clock.instant();
        Optional<DeployControls.Pin> pin = controls.pinOf(service.name(), environment.name()).filter(p -> p.activeAt(now));
        if (pin.isPresent() && !pin.get().digest().equals(digest)) {
            return DeployOutcome.of(service.name(), environment.name(), Result.HELD, environment.name() + " is pinned to "
                    + pin.get().digest().shortForm() + (pin.get().until() == null ? "" : " until " + pin.get().until())
                    + " by " + pin.get().by() + ": " + pin.get().reason());
        }
        if (dryRun) {
            if (environment.gated()) {
                Optional<GateRecord> atGate = gates.find(new ReleaseKey(service.name(), environment.name(), digest));
                return DeployOutcome.of(service.name(), environment.name(), Result.HELD, "dry run: behind gate '" + environment.gate()
                        + "', " + atGate.map(r -> r.status() + " (" + r.reason() + ")").orElse("not reached yet")
                        + "; a dry run does not evaluate gates");
            }
            return plan(service, environment, request);
        }
        lock(service.name(), environment.name(), invocationId);
        try {
            if (request.isRollback()) {
                return rollBack(service, environment, request, digest, invocationId);
            }
            TagPolicy ordering = policy != null ? policy : request.ordered() ? service.tagPolicy().toPolicy() : null;
            if (ordering != null) {
                Optional<String> newer = newerRelease(service.name(), environment.name(), request, digest, ordering);
                if (newer.isPresent()) {
                    return DeployOutcome.of(service.name(), environment.name(), Result.SKIPPED, newer.get());
                }
            }
            if (environment.gated()) {
                return throughGate(service, environment, request, digest, invocationId);
            }
            return deploy(service, environment, request, digest, invocationId);
        } finally {
            releases.unlockEnvironment(service.name(), environment.name(), invocationId);
        }
    }

    /**
     * Deploys a release to a gated environment only when its gate has passed, evaluating the gate first; a
     * release the gate holds waits there, and the gate sweep deploys it when the gate passes. A pipeline's deploy action
     * entering on the pass of its execution's gate action goes in only while the gate's live conditions still hold, whatever
     * round another execution bringing the same digest opened since.
     */
    private DeployOutcome throughGate(ServiceConfig service, EnvironmentConfig environment, DeployRequest request,
            ImageDigest digest, String invocationId) {
        ReleaseKey key = new ReleaseKey(service.name(), environment.name(), digest);
        GateSubject subject = new GateSubject(key, request.image().render(), request.tag(), request.pushedAt(), request.triggeredBy(),
                request.gateOrigin(), request.eventId(), request.pipelineExecution());
        GateRecord atGate = gates.evaluate(subject);
        String gate = "gate '" + atGate.gate() + "'";
        GateStatus answer = gates.entersOnExecutionPass(subject, atGate) ? GateStatus.PASSED : atGate.status();
        return switch (answer) {
            case PASSED -> {
                Optional<String> passNotEnough = gates.whyExecutionPassDoesNotHold(subject, atGate);
                if (passNotEnough.isPresent()) {
                    yield DeployOutcome.of(service.name(), environment.name(), Result.REFUSED, passNotEnough.get());
                }
                DeployOutcome outcome = deploy(service, environment, request, digest, invocationId);
                // A deploy under way elsewhere is no hand-off yet: the sweep keeps the release due until it has one.
                // Another execution's round of the digest, still open, is not this deploy's to end.
                if (atGate.status() == GateStatus.PASSED && atGate.handoff() == null && outcome.result() != Result.IN_PROGRESS) {
                    gates.recordHandoff(key, outcome.result() + ": " + outcome.reason());
                }
                yield outcome;
            }
            case WAITING -> DeployOutcome.of(service.name(), environment.name(), Result.HELD, "held at " + gate + ": "
                    + atGate.reason() + (atGate.origin() == GateOrigin.DEPLOY
                            ? "; Gantry deploys it when the gate passes"
                            : "; run the pipeline again once the gate has passed"));
            case FAILED, TIMED_OUT -> DeployOutcome.of(service.name(), environment.name(), Result.REFUSED,
                    gate + " " + (atGate.status() == GateStatus.FAILED ? "refused it: " : "timed out: ") + atGate.reason());
            case SUPERSEDED -> DeployOutcome.of(service.name(), environment.name(), Result.SKIPPED, atGate.reason());
        };
    }

    /**
     * Returns the environment to a release that ran there before, under the environment's lock.
     *
     * <p>Gates: a rollback is not put through a new round of the environment's gate. Its digest went into this
     * environment through that gate (Gantry enters a gated environment no other way) and completed its rollout there;
     * a new round would hold it on exactly what an incident brings about: a firing alarm fails the gate, a freeze
     * holds it, the approvals of the first round have expired by the next day. So the gate's earlier pass of this
     * digest must be on record, and stands; a digest the gate never let in (it was deployed before the gate was
     * configured) is refused rather than let past it. Approvals are thereby not bypassed, only not asked for again,
     * and who may roll back at all is the environment's {@code rollback} permission.
     */
    private DeployOutcome rollBack(ServiceConfig service, EnvironmentConfig environment, DeployRequest request, ImageDigest digest,
            String invocationId) {
        String where = environment.name();
        ReleaseKey key = new ReleaseKey(service.name(), where, digest);
        Optional<Release> found = releases.find(key);
        if (found.isEmpty()) {
            return DeployOutcome.of(service.name(), where, Result.REFUSED, digest.shortForm() + " never ran in " + where
                    + ": a rollback returns to a release Gantry deployed there");
        }
        Release target = found.get();
        String rolledBack = "";
        // A retry of this very request whose first attempt died part-way carries on from where that got: the checks
        // were passed then, and would now find the environment half-way to the target.
        if (!request.eventId().equals(target.eventId())) {
            Optional<Release> running = releases.history(service.name(), where).stream().filter(Release::isRunning).findFirst();
            if (running.isPresent() && running.get().key().equals(key)) {
                return DeployOutcome.of(service.name(), where, Result.UNCHANGED, where + " already runs " + describe(target));
            }
            if (running.isEmpty() || !running.get().key().digest().equals(request.rollbackFrom())) {
                return DeployOutcome.of(service.name(), where, Result.SKIPPED, "the rollback was asked for while " + where + " ran "
                        + request.rollbackFrom().shortForm() + ", but it runs " + running.map(DeployService::describe).orElse("nothing Gantry deployed")
                        + " now; look again and ask again");
            }
            if (target.status() == ReleaseStatus.SERVICE_UPDATED && !target.redeployableFor(request.eventId())) {
                return DeployOutcome.of(service.name(), where, Result.DUPLICATE, "the rollout of " + describe(target) + " in " + where
                        + " has not ended (" + target.rolloutStatus() + "): ECS is still moving the service to it");
            }
            if (environment.gated()) {
                Optional<String> notLetIn = neverPassedGate(key, environment);
                if (notLetIn.isPresent()) {
                    return DeployOutcome.of(service.name(), where, Result.REFUSED, notLetIn.get());
                }
            }
            vetoLeftBehind(running.get(), target, request);
            rolledBack = "rolled back from " + describe(running.get()) + " to " + describe(target) + ", and "
                    + running.get().key().digest().shortForm() + " is vetoed for " + where + ": ";
        }
        DeployOutcome outcome = deploy(service, environment, request, digest, invocationId);
        if (rolledBack.isEmpty() || (outcome.result() != Result.DEPLOYED && outcome.result() != Result.UNCHANGED)) {
            return outcome;
        }
        return new DeployOutcome(outcome.service(), outcome.environment(), outcome.result(), rolledBack + outcome.reason(),
                outcome.fromTaskDefinitionArn(), outcome.toTaskDefinitionArn(), outcome.changes());
    }

    /** Why the gate of a gated environment never let this digest in, if it did not: a rollback does not go past a gate. */
    private Optional<String> neverPassedGate(ReleaseKey key, EnvironmentConfig environment) {
        Optional<GateRecord> atGate = gates.find(key);
        boolean passed = atGate.isPresent() && (atGate.get().status() == GateStatus.PASSED
                || atGate.get().evaluations().stream().anyMatch(e -> e.outcome() == GateVerdict.Outcome.PASSED));
        if (passed) {
            return Optional.empty();
        }
        return Optional.of(key.digest().shortForm() + " never passed gate '" + environment.gate() + "' of " + environment.name()
                + atGate.map(r -> " (it stands " + r.status() + ": " + r.reason() + ")").orElse("")
                + "; a rollback returns only to a digest the gate let in, and does not go past it");
    }

    /**
     * Vetoes the digest a rollback leaves, before anything moves, as a rollout that ECS rolled back is: if the deploy then
     * fails, the environment still runs it (a veto stops deploys, not what runs) and the retry finds it vetoed already.
     * An existing veto is kept, with its own reason.
     */
    private void vetoLeftBehind(Release left, Release target, DeployRequest request) {
        ReleaseKey key = left.key();
        if (controls.vetoOf(key.service(), key.environment(), key.digest()).isPresent()) {
            return;
        }
        String by = request.triggeredBy().isEmpty() ? ROLLBACK_VETO_BY : String.join(", ", request.triggeredBy());
        controls.veto(new DeployControls.Veto(key.service(), key.environment(), key.digest(),
                "rolled back to " + describe(target) + " (" + request.eventId() + ")", by, clock.instant()));
    }

    /** {@code 1.4.0 (07348c117739)}, or the digest alone for a release without a tag. */
    private static String describe(Release release) {
        return (release.tag() == null ? "" : release.tag() + " ") + "(" + release.key().digest().shortForm() + ")";
    }

    private void lock(String service, String environment, String owner) {
        Instant deadline = clock.instant().plus(LOCK_WAIT);
        Duration backoff = Duration.ofMillis(200);
        while (!releases.lockEnvironment(service, environment, owner, clock.instant(), lease)) {
            if (!clock.instant().isBefore(deadline)) {
                throw new EnvironmentBusyException(service + "/" + environment + " is being deployed by another release for over "
                        + LOCK_WAIT.toSeconds() + " s");
            }
            pause.pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
        }
    }

    /**
     * Why the environment's running release beats the requested image, if it does. Never downgrade: a
     * lower version (semver policies) or an older push loses; re-deploying the running digest is left to
     * the duplicate check.
     */
    private Optional<String> newerRelease(String service, String environment, DeployRequest request, ImageDigest digest,
            TagPolicy policy) {
        Optional<Release> running = releases.history(service, environment).stream().filter(Release::isRunning).findFirst();
        if (running.isEmpty() || running.get().key().digest().equals(digest)) {
            return Optional.empty();
        }
        Release current = running.get();
        ReleaseOrderPolicy.Order order = ReleaseOrderPolicy.compare(policy, request.tag(), request.pushedAt(), current.tag(),
                current.pushedAt());
        if (!order.firstIsOlder()) {
            return Optional.empty();
        }
        return Optional.of(order.basis() == ReleaseOrderPolicy.Basis.VERSION
                ? "older than what " + environment + " runs: " + request.tag() + " < " + current.tag()
                        + " (" + current.key().digest().shortForm() + "); Gantry never downgrades"
                : "pushed before what " + environment + " runs: " + request.tag() + " at " + request.pushedAt() + " < "
                        + current.tag() + " at " + current.pushedAt() + " (" + current.key().digest().shortForm() + "); Gantry never downgrades");
    }

    private static DeployReport report(String eventId, ImageReference image, List<DeployOutcome> outcomes, List<String> failures) {
        DeployReport report = new DeployReport(eventId, image.render(), false, null, outcomes);
        if (!failures.isEmpty()) {
            throw new DeployFailedException(image.repository() + "@" + new ImageDigest(image.digest()).shortForm() + " failed in "
                    + String.join("; ", failures), report);
        }
        return report;
    }

    private DeployReport handToListener(DeployReport report) {
        if (reportListener == null || dryRun) {
            return report;
        }
        try {
            reportListener.accept(report);
        } catch (RuntimeException e) {
            LOG.error("the report listener failed on the report of {}; the report stands", report.eventId(), e);
        }
        return report;
    }

    /** What a deploy would change, read-only: the dry-run answer. */
    private DeployOutcome plan(ServiceConfig service, EnvironmentConfig environment, DeployRequest request) {
        EcsServiceRef target = EcsServiceRef.of(environment);
        String from = ecs.currentTaskDefinitionArn(target);
        DeployPlan plan = DeployPlanner.plan(service, environment, ecs.describeTaskDefinition(target, from), request.image());
        return new DeployOutcome(service.name(), environment.name(), plan.isNoOp() ? Result.UNCHANGED : Result.PLANNED,
                plan.isNoOp() ? target + " already runs " + request.image().render() : "dry run: would register a revision of " + from
                        + " and move " + target + " to it", from, null, plan.summaries(request.tag()));
    }

    private DeployOutcome deploy(ServiceConfig service, EnvironmentConfig environment, DeployRequest request, ImageDigest digest,
            String owner) {
        ReleaseKey key = new ReleaseKey(service.name(), environment.name(), digest);
        Instant now = clock.instant();
        Release proposed = Release.proposed(key, request.tag(), request.image().render(), request.eventId(), request.pushedAt(), owner,
                now.plus(lease), now);
        Claim claim = request.isRollback() ? releases.claimRedeploy(proposed, now, lease) : releases.claim(proposed, now, lease);
        return switch (claim) {
            // A retry of the event that deployed it (its first attempt failed after the service update) is told so: the
            // person who asked from Slack would otherwise read their own deploy as someone else's.
            case Claim.AlreadyDone done -> new DeployOutcome(service.name(), environment.name(), Result.DUPLICATE,
                    "release " + key.id() + " was already deployed " + (request.eventId().equals(done.release().eventId())
                            ? "by an earlier attempt at this same event (" + done.release().eventId() + ")"
                            : "(event " + done.release().eventId() + ")"),
                    done.release().previousTaskDefinitionArn(), done.release().taskDefinitionArn(), done.release().changes());
            // The holder finishes it, or fails and its event is retried, or dies and the next attempt after its lease
            // takes over: this copy adds nothing now, but must not read as done to anyone waiting for the deploy.
            case Claim.HeldElsewhere held -> new DeployOutcome(service.name(), environment.name(), Result.IN_PROGRESS,
                    "release " + key.id() + " is being deployed by another invocation (lease until " + held.release().leaseUntil()
                            + "; if that invocation dies, the next attempt after then takes it over)",
                    null, null, List.of());
            case Claim.Granted granted -> {
                try {
                    yield carryOut(service, environment, granted.release(), request, owner);
                } catch (RuntimeException e) {
                    releases.abandon(key, owner, clock.instant());
                    throw e;
                }
            }
        };
    }

    private DeployOutcome carryOut(ServiceConfig service, EnvironmentConfig environment, Release release, DeployRequest request,
            String owner) {
        ImageReference image = request.image();
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
                // This release starts no deployment, and the rollout follower never matches a release to a revision it
                // replaced itself, so nothing else would end its rollout: the next environment's soak would wait for it
                // until its gate timed out, and a rollback to it would be refused. (A rollout of that revision still under
                // way was started outside Gantry and is not this release's.)
                releases.recordRollout(release.key(), RolloutStatus.COMPLETED, "the service already ran " + image.render() + " in " + from
                        + " when Gantry came to deploy it; no rollout was started", clock.instant());
                return new DeployOutcome(service.name(), environment.name(), Result.UNCHANGED,
                        target + " already runs " + image.render() + " in " + from, from, from, List.of());
            }
            to = ecs.registerRevision(target, from, plan.imageByContainer());
            changes = plan.summaries(request.tag());
            releases.recordRegistered(release.key(), owner, from, to, changes, clock.instant());
        }
        ecs.updateService(target, to);
        releases.recordServiceUpdated(release.key(), owner, clock.instant());
        // Never fails the deploy: a cleanup problem comes back as part of the report.
        RevisionCleanup cleanup = revisionCleanup.afterDeploy(environment, from, to);
        return new DeployOutcome(service.name(), environment.name(), Result.DEPLOYED,
                target + " moved from " + from + " to " + to + "; " + cleanup.describe(), from, to, changes);
    }

    private static DeployReport ignore(ImagePush push, String reason) {
        LOG.info("ignored event {}: {}", push.eventId(), reason);
        return DeployReport.ignored(push.eventId(), reason);
    }

    private static DeployOutcome logged(DeployOutcome outcome) {
        LOG.atInfo().addKeyValue(RESULT_LOG_FIELD, outcome.result().name())
                .log("{}/{}: {}: {}", outcome.service(), outcome.environment(), outcome.result(), outcome.reason());
        return outcome;
    }

    /** Another release of the environment held its lock for longer than {@link #LOCK_WAIT}. */
    public static final class EnvironmentBusyException extends RuntimeException {
        public EnvironmentBusyException(String message) {
            super(message);
        }
    }

    /** The request names a service or environment the configuration does not have. */
    public static final class UnknownTargetException extends RuntimeException {
        public UnknownTargetException(String message) {
            super(message);
        }
    }

    /**
     * One or more environments failed; the message names each with its reason, and {@link #report()} holds what the
     * others came to (deployed, held, skipped...), which a retry of the event finds done.
     */
    public static final class DeployFailedException extends RuntimeException {
        private final transient DeployReport report;

        public DeployFailedException(String message, DeployReport report) {
            super(message);
            this.report = Objects.requireNonNull(report, "report");
        }

        /** The outcomes of the environments that did not fail; the failed ones are in the message only. */
        public DeployReport report() {
            return report;
        }
    }

}
