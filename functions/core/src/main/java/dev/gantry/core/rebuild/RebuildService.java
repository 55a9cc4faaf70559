package dev.gantry.core.rebuild;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.BuildRunner.StartedBuild;
import dev.gantry.core.rebuild.RebuildOutcome.Action;
import dev.gantry.core.rebuild.RebuildReport.Result;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the images built FROM a base image when the base changes: each dependent once per base digest, wave by
 * wave (a dependent that is itself a base continues the cascade when its own new image is pushed), at most
 * {@code rebuilds.maxConcurrentBuilds} builds at once across all runs.
 *
 * <p>Every entry point enqueues what it must and then fills the free slots from the oldest pending rebuilds, its own
 * run's first. A rebuild that could not start for want of capacity stays pending; the next finished build or the
 * next {@link #resume} (a scheduled sweep) tries again, which is also how a start interrupted by a dying invocation is
 * taken over once its lease runs out. Any attempt after the first looks for a build an earlier attempt started before
 * it starts one, and adopts it (decision 26): the build service remembers a start's idempotency token for minutes only.
 *
 * <p>A dependent is rebuilt on the newest base only: once a rebuild of it on another digest of its base is planned
 * after one that has not started, that one is never started (SUPERSEDED). One already started is left to finish, but
 * its image's push continues no cascade: the newer rebuild's push does (decision 12).
 *
 * <p>Built with {@link RevokedBases}, nothing is rebuilt on a revoked base digest or on an image descending from one (a
 * rebuild planned before the revocation is BLOCKED when its turn comes), and a child image pushed later on such a
 * digest is vetoed in every environment of the services deployed from its repository, as {@link RevocationService}
 * vetoes the ones it finds.
 */
public final class RebuildService {

    /** Outlives the function's timeout, so a live invocation never loses a start it is making (decision 3's rule). */
    static final Duration START_LEASE = Duration.ofSeconds(90);
    /** Starts that failed for a reason other than capacity or a missing target, before the rebuild is given up. */
    static final int MAX_START_ATTEMPTS = 5;

    public static final String BASE_IMAGE_VARIABLE = "BASE_IMAGE";
    public static final String BASE_DIGEST_VARIABLE = "BASE_DIGEST";

    /** The JSON log field of the rebuild function's line per event holding the report's {@link RebuildReport.Result}. */
    public static final String RESULT_LOG_FIELD = "rebuildResult";
    /**
     * The JSON log field of the same line holding {@link #rebuildsInFlight()} after the event, as a number: a CloudWatch
     * metric filter takes its value from it.
     */
    public static final String IN_FLIGHT_LOG_FIELD = "rebuildsInFlight";

    private static final Logger LOG = LoggerFactory.getLogger(RebuildService.class);

    /** The statuses of a rebuild that left no image to continue its cascade. */
    private static final Set<RebuildStatus> ENDED_WITHOUT_IMAGE = Set.of(RebuildStatus.SUPERSEDED, RebuildStatus.BLOCKED,
            RebuildStatus.FAILED);

    private static final Comparator<Rebuild> END_ORDER = Comparator.comparing(Rebuild::updatedAt).thenComparing(Rebuild::dependent);

    private final GantryConfig config;
    private final LineageGraph graph;
    private final RebuildLedger ledger;
    private final BuildRunner builds;
    private final ImageLabels labels;
    private final ImageRegistry registry;
    private final String account;
    private final String region;
    private final Clock clock;
    /** Null when built without revocation: then nothing counts as revoked. */
    private final DescendantVetoes vetoes;
    /** Null when built without a history: the lineage report then knows no order of versions. */
    private final LineageHistory history;

    /**
     * @param registry where scheduled, manual and Image Builder rebuilds read the digest a base's tag points at
     * @param account the account of the ECR registry holding the base images
     * @param region the region of that registry
     */
    public RebuildService(GantryConfig config, RebuildLedger ledger, BuildRunner builds, ImageLabels labels,
            ImageRegistry registry, String account, String region, Clock clock) {
        this(config, ledger, builds, labels, registry, account, region, clock, null, null, null);
    }

    /**
     * @param revoked the revoked base digests: nothing is rebuilt on them or on their descendants
     * @param controls where a child image pushed on a revoked base is vetoed
     * @param history where base versions and child images are remembered in the order seen, for the lineage report
     */
    public RebuildService(GantryConfig config, RebuildLedger ledger, BuildRunner builds, ImageLabels labels,
            ImageRegistry registry, String account, String region, Clock clock, RevokedBases revoked,
            DeployControls controls, LineageHistory history) {
        this.config = Objects.requireNonNull(config, "config");
        this.graph = LineageGraph.of(config);
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.builds = Objects.requireNonNull(builds, "builds");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.account = Objects.requireNonNull(account, "account");
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
        if ((revoked == null) != (controls == null)) {
            throw new IllegalArgumentException("revocation needs both the revoked bases and the deploy controls, or neither");
        }
        this.vetoes = revoked == null ? null : new DescendantVetoes(config, controls, revoked, ledger, clock);
        this.history = history;
    }

    /**
     * A push to ECR. A child image some dependent produces has its lineage recorded from its labels; a push of a base
     * image's repository under its tag rebuilds the base's dependents (the next wave, when the base is itself a
     * rebuilt child).
     */
    public RebuildReport onImagePush(ImagePush push) {
        String trigger = "ECR push " + push.repository() + (push.tag() == null ? "" : ":" + push.tag());
        if (!push.isSuccessfulPush()) {
            return RebuildReport.ignored(trigger, "not a successful push (" + push.action() + " " + push.result() + ")");
        }
        ImageDigest digest;
        try {
            digest = ImageDigest.parse(push.digest());
        } catch (ImageDigest.InvalidDigestException e) {
            return RebuildReport.ignored(trigger, e.getMessage());
        }
        Optional<Rebuild> parent = recordLineage(push, digest);
        String vetoed = vetoIfBuiltOnRevoked(push.repository(), digest);
        if (push.tag() == null) {
            return RebuildReport.ignored(trigger, "an untagged push is no base image's new version" + vetoed);
        }
        Optional<BaseImageConfig> base = graph.base(push.repository(), push.tag());
        if (base.isEmpty()) {
            List<BaseImageConfig> ofRepository = graph.basesOfRepository(push.repository());
            return RebuildReport.ignored(trigger, (ofRepository.isEmpty()
                    ? push.repository() + " is no base image's repository"
                    : "tag '" + push.tag() + "' is not the tag of base image " + ofRepository.get(0).name() + " ('"
                            + ofRepository.get(0).tag() + "')") + vetoed);
        }
        if (parent.isPresent()) {
            Optional<RebuildKey> newer = supersederOf(parent.get());
            if (newer.isPresent()) {
                return ignoredPush(trigger, push.repository() + " sha256:" + digest.shortForm() + " was built on "
                        + parent.get().baseRepository() + " sha256:" + parent.get().key().baseDigest().shortForm() + ", and "
                        + parent.get().dependent() + " is rebuilt on the newer sha256:" + newer.get().baseDigest().shortForm()
                        + ": its dependents are rebuilt from that image, not this one" + vetoed,
                        parent, digest, "their base image is rebuilt on a newer digest of its base");
            }
        }
        Optional<ImageDigest> taggedNow = digestTaggedNow(push);
        if (taggedNow.isPresent() && !taggedNow.get().equals(digest)) {
            return ignoredPush(trigger, push.repository() + ":" + push.tag() + " names sha256:" + taggedNow.get().shortForm()
                    + " now, not the pushed sha256:" + digest.shortForm() + ": this push is out of date (delivered late, or replayed),"
                    + " and the dependents are rebuilt on the tag's newer image when its own push arrives" + vetoed,
                    parent, digest, "their base image's tag names a newer image");
        }
        String baseImage = ImageReference.ecr(push.account(), push.region(), push.repository(), digest).render();
        return plan(base.get(), digest, baseImage, RebuildKey.ON_NEW_BASE, trigger, parent);
    }

    /**
     * What the pushed tag points at when the push is handled. Planning supersedes by the order Gantry plans digests in
     * (decision 12), so a base push handled after a newer one (an event delivered late, or replayed from the failure
     * queue once a newer digest was planned) would otherwise supersede the newer digest's pending rebuilds and rebuild
     * every dependent on the older base. The tag is the base's own word on which digest is current.
     *
     * @return empty when the tag is gone since (deleted or moved out of the repository): the push is then all there is
     *     to go by
     * @throws ImageRegistry.ImageRegistryException when ECR cannot answer: the push fails and waits in the failure queue
     *     rather than risk rebuilding on a stale base
     */
    private Optional<ImageDigest> digestTaggedNow(ImagePush push) {
        ImageReference tagged = new ImageReference(push.account() + ".dkr.ecr." + push.region() + ".amazonaws.com", push.repository(),
                push.tag(), null);
        try {
            return Optional.of(registry.digestOf(tagged));
        } catch (ImageRegistry.ImageNotFoundException e) {
            LOG.warn("{} is no longer tagged; planning on the pushed digest", tagged.render());
            return Optional.empty();
        }
    }

    /**
     * AVAILABLE: a new base, as if pushed, on the digest of the container image Image Builder distributed to the base's
     * repository (read through its tag when the URI carries no digest); FAILED: reported, nothing rebuilt; any other
     * state: nothing.
     */
    public RebuildReport onImageBuilderImage(ImageBuilderImage image) {
        String trigger = "EC2 Image Builder image " + image.imageArn();
        if (!image.finished()) {
            return RebuildReport.ignored(trigger, "the image is " + image.state() + "; only AVAILABLE images are new bases");
        }
        Optional<BaseImageConfig> base = Optional.ofNullable(image.pipelineArn()).flatMap(graph::baseOfImagePipeline);
        if (base.isEmpty()) {
            return RebuildReport.ignored(trigger, image.pipelineArn() == null
                    ? "the image was built outside an image pipeline, so it is no configured base image"
                    : "pipeline " + image.pipelineArn() + " builds no configured base image");
        }
        if ("FAILED".equals(image.state())) {
            return new RebuildReport(Result.BASE_FAILED, trigger, null, null, 0, 0, 0, List.of(),
                    "base image " + base.get().name() + " failed to build in EC2 Image Builder ("
                            + (image.reason() == null ? "no reason given" : image.reason()) + "): nothing is rebuilt");
        }
        // A URI with a digest names the build exactly; a tag may have moved since, so it is only the second choice.
        Optional<ImageReference> distributed = image.imageUris().stream()
                .map(RebuildService::parseOrNull)
                .filter(Objects::nonNull)
                .filter(uri -> uri.repository().equals(base.get().repository()))
                .min(Comparator.comparing((ImageReference uri) -> uri.digest() == null));
        if (distributed.isEmpty()) {
            return rebuildCurrent(base.get(), RebuildKey.ON_NEW_BASE, trigger);
        }
        ImageDigest digest;
        try {
            digest = distributed.get().digest() != null
                    ? ImageDigest.parse(distributed.get().digest())
                    : registry.digestOf(distributed.get());
        } catch (ImageDigest.InvalidDigestException | ImageRegistry.ImageNotFoundException e) {
            return RebuildReport.ignored(trigger, "the distributed image " + distributed.get().render() + " cannot be read: "
                    + e.getMessage());
        }
        return plan(base.get(), digest, baseImage(base.get(), digest), RebuildKey.ON_NEW_BASE, trigger, Optional.empty());
    }

    private static ImageReference parseOrNull(String uri) {
        try {
            return ImageReference.parse(uri);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The base's schedule fired: its dependents are rebuilt on its current digest, changed or not, so they pick up
     * their own patches.
     *
     * @param scheduledFor the schedule's time for this firing; a repeated delivery of the same firing rebuilds once
     */
    public RebuildReport onScheduledRebuild(String baseName, Instant scheduledFor) {
        String trigger = "schedule of " + baseName + " at " + scheduledFor;
        return graph.base(baseName)
                .map(base -> rebuildCurrent(base, "schedule@" + scheduledFor, trigger))
                .orElseGet(() -> RebuildReport.ignored(trigger, "no base image named '" + baseName + "'"));
    }

    /**
     * Someone asked for the base's dependents to be rebuilt on its current digest.
     *
     * @param requestId identifies the request (Slack's trigger id, say), so a retried request rebuilds once
     */
    public RebuildReport rebuildManually(String baseName, String requestedBy, String reason, String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        String trigger = "manual by " + requestedBy + (reason == null || reason.isBlank() ? "" : ": " + reason);
        return graph.base(baseName)
                .map(base -> rebuildCurrent(base, "manual@" + requestId, trigger))
                .orElseGet(() -> RebuildReport.ignored(trigger, "no base image named '" + baseName + "'"));
    }

    /**
     * A base digest was revoked: the base's dependents are rebuilt on the digest its tag points at now, unless that is
     * revoked too (then nothing is, until a new base is pushed). Calling it again for the same revoked digest rebuilds
     * nothing more.
     */
    public RebuildReport rebuildAfterRevocation(String baseName, ImageDigest revokedDigest, String revokedBy, String reason) {
        String trigger = "revocation of sha256:" + revokedDigest.shortForm() + " by " + revokedBy
                + (reason == null || reason.isBlank() ? "" : ": " + reason);
        return graph.base(baseName)
                .map(base -> rebuildCurrent(base, "manual@revocation-" + revokedDigest.value(), trigger))
                .orElseGet(() -> RebuildReport.ignored(trigger, "no base image named '" + baseName + "'"));
    }

    /**
     * A build (or pipeline execution) ended. A rebuild's slot is freed and the oldest pending rebuilds take the free
     * slots, its own run's first; builds Gantry did not start are ignored.
     */
    public RebuildReport onBuildFinished(String buildId, boolean succeeded, String reason) {
        String trigger = "build " + buildId + (succeeded ? " succeeded" : " failed");
        Optional<Rebuild> found = ledger.findByBuildId(buildId);
        if (found.isEmpty()) {
            return RebuildReport.ignored(trigger, "build " + buildId + " is no rebuild Gantry started");
        }
        Outcomes outcomes = new Outcomes();
        Rebuild rebuild = found.get();
        finish(rebuild, buildId, succeeded, reason, outcomes);
        fill(rebuild.run(), outcomes);
        return report(rebuild.run(), rebuild.root(), rebuild.wave(), trigger, outcomes);
    }

    /**
     * Takes over starts whose invocation died (their lease ran out) and fills free slots; meant for a schedule, so
     * that rebuilds deferred for capacity, or left behind by a lost event, still start.
     */
    public RebuildReport resume() {
        Outcomes outcomes = new Outcomes();
        fill(null, outcomes);
        return new RebuildReport(Result.REBUILDING, "sweep", null, null, 0, 0, 0, outcomes.all(), null);
    }

    /**
     * How many rebuilds hold a build slot now, across every run. No report can say: other invocations take and free
     * slots beside this one, and a slot is taken or freed without reading the others. It is one read of the ledger's
     * slot pool, not of the rebuilds (decision 12).
     *
     * @throws RebuildLedger.RebuildLedgerException when the ledger cannot be read
     */
    public int rebuildsInFlight() {
        return ledger.inFlightCount();
    }

    private RebuildReport rebuildCurrent(BaseImageConfig base, String occasion, String trigger) {
        ImageReference tagged = new ImageReference(registryHost(), base.repository(), base.tag(), null);
        ImageDigest digest;
        try {
            digest = registry.digestOf(tagged);
        } catch (ImageRegistry.ImageNotFoundException e) {
            return RebuildReport.ignored(trigger, "no image " + tagged.render() + " to rebuild on: " + e.getMessage());
        }
        return plan(base, digest, baseImage(base, digest), occasion, trigger, Optional.empty());
    }

    private RebuildReport plan(BaseImageConfig base, ImageDigest digest, String baseImage, String occasion, String trigger,
            Optional<Rebuild> parent) {
        Instant now = clock.instant();
        if (history != null) {
            history.recordBaseVersion(new LineageHistory.BaseVersion(base.name(), digest, now));
        }
        Optional<RevokedBase> revokedAncestor = vetoes == null ? Optional.empty() : vetoes.revokedAncestor(base.repository(), digest);
        if (revokedAncestor.isPresent()) {
            RevokedBase cause = revokedAncestor.get();
            String what = base.repository() + " sha256:" + digest.shortForm();
            return ignoredPush(trigger, (cause.repository().equals(base.repository()) && cause.digest().equals(digest)
                    ? what + " is revoked"
                    : what + " is built on revoked base " + cause.describe())
                    + " (by " + cause.revokedBy() + ": " + cause.reason() + "); nothing is rebuilt on it until a new base is pushed",
                    parent, digest, "their base image was built on a revoked base");
        }
        RunKey run = new RunKey(base.repository(), digest, occasion);
        RunKey root = parent.map(Rebuild::root).orElse(run);
        int wave = parent.map(p -> p.wave() + 1).orElse(1);
        Outcomes outcomes = new Outcomes();
        List<Rebuild> queued = new ArrayList<>();
        for (DependentConfig dependent : graph.dependents(base)) {
            RebuildKey key = new RebuildKey(dependent.name(), digest, occasion);
            // A dependent whose image is itself a base holds up the next wave: it is queued a nanosecond before its
            // siblings, so every ledger's oldest-first order gives it one of the first free slots instead of its name's turn.
            boolean parentOfNextWave = !graph.basesOfRepository(dependent.produces()).isEmpty();
            Rebuild pending = Rebuild.pending(key, base.repository(), baseImage, targetOf(dependent), dependent.produces(), root,
                    wave, trigger, parentOfNextWave ? now : now.plusNanos(1));
            // Read before this rebuild can become the newest: what it displaces is what it may supersede.
            Optional<RebuildKey> displaced = ledger.newest(dependent.name());
            Rebuild planned;
            if (ledger.enqueue(pending)) {
                planned = pending;
                queued.add(pending);
                outcomes.reserve(key);
            } else {
                planned = ledger.find(key).orElse(pending);
                outcomes.put(planned, Action.ALREADY_PLANNED,
                        "already " + planned.status().name().toLowerCase() + " for this base digest");
            }
            displaced.ifPresent(older -> supersedeIfPending(older, planned, outcomes));
        }
        fill(run, outcomes);
        for (Rebuild pending : queued) {
            if (!outcomes.told(pending.key())) {
                Rebuild current = ledger.find(pending.key()).orElse(pending);
                outcomes.put(current, Action.QUEUED, "queued: all " + config.rebuilds().maxConcurrentBuilds()
                        + " build slots are in use; it starts when a build finishes");
            }
        }
        return report(run, root, wave, trigger, outcomes);
    }

    /**
     * A push that continues no cascade. When the image is a rebuild's ({@code parent}), the images its cascade would
     * have rebuilt on it are never planned there, so the report tells that rebuild's run so, in a report of its own
     * (the push's own is ignored): a thread following the cascade can then end instead of waiting for them. A push
     * whose image continued the cascade already (the same push delivered again) tells nothing more.
     *
     * @param because why the images below are not rebuilt, completing "N not rebuilt: ..."
     */
    private RebuildReport ignoredPush(String trigger, String note, Optional<Rebuild> parent, ImageDigest pushed, String because) {
        RebuildReport ignored = RebuildReport.ignored(trigger, note);
        if (parent.isEmpty()) {
            return ignored;
        }
        Rebuild producer = parent.get();
        List<DependentConfig> below = rootBase(producer.root(), producer.run())
                .map(root -> graph.below(root, producer.dependent(), endedBefore(endedWithoutImage(producer.run()), producer.dependent())))
                .orElse(List.of());
        boolean continuedAlready = graph.dependent(producer.dependent())
                .map(d -> graph.basesOfRepository(d.produces()).stream()
                        .flatMap(b -> b.dependents().stream())
                        .anyMatch(child -> !ledger.find(child.name(), pushed).isEmpty()))
                .orElse(false);
        if (below.isEmpty() || continuedAlready) {
            return ignored;
        }
        RebuildOutcome ended = RebuildOutcome.of(producer, Action.CASCADE_ENDED, "its image " + producer.produces() + " sha256:"
                + pushed.shortForm() + " continues no cascade: " + because).notRebuildingBelow(below.size(), because);
        RebuildReport ofProducer = runReport(producer.run(), producer.root(), producer.wave(), trigger, List.of(ended), List.of());
        return new RebuildReport(Result.IGNORED, trigger, null, null, 0, 0, 0, List.of(), note, List.of(ofProducer));
    }

    /**
     * Supersedes the rebuild {@code olderKey} names if it is of another base digest, planned before {@code newer}, and
     * still pending. One that has taken its slot meanwhile is left to run: its push continues no cascade.
     */
    private void supersedeIfPending(RebuildKey olderKey, Rebuild newer, Outcomes outcomes) {
        if (olderKey.baseDigest().equals(newer.key().baseDigest())) {
            return;
        }
        Optional<Rebuild> older = ledger.find(olderKey)
                .filter(r -> r.status() == RebuildStatus.PENDING && Rebuild.PLANNING_ORDER.compare(r, newer) < 0);
        if (older.isEmpty()) {
            return;
        }
        String reason = supersededReason(older.get(), newer.key());
        Rebuild superseded = older.get().settled(RebuildStatus.SUPERSEDED, reason, clock.instant());
        if (ledger.replace(superseded)) {
            outcomes.put(superseded, Action.SUPERSEDED, reason);
        }
    }

    /**
     * The rebuild of the same dependent on another digest of its base that was planned after {@code rebuild}, if any.
     * The ledger's newest is never planned before a rebuild it holds, so a newest on another digest is that rebuild.
     */
    private Optional<RebuildKey> supersederOf(Rebuild rebuild) {
        return ledger.newest(rebuild.dependent()).filter(newest -> !newest.baseDigest().equals(rebuild.key().baseDigest()));
    }

    private static String supersededReason(Rebuild superseded, RebuildKey newer) {
        return "superseded by the newer base " + superseded.baseRepository() + " sha256:" + newer.baseDigest().shortForm()
                + ": not started";
    }

    /**
     * The report of {@code run}, with what the call did to other runs' rebuilds in reports of their own: a thread follows
     * one cascade, and would otherwise read an older digest's superseded rebuild as this run's.
     */
    private RebuildReport report(RunKey run, RunKey root, int wave, String trigger, Outcomes outcomes) {
        List<RebuildReport> otherRuns = outcomes.oneOfEachRun().stream()
                .filter(other -> !other.run().equals(run))
                .map(other -> runReport(other.run(), other.root(), other.wave(), trigger, outcomes.of(other.run()), List.of()))
                .toList();
        return runReport(run, root, wave, trigger, outcomes.of(run), otherRuns);
    }

    private RebuildReport runReport(RunKey run, RunKey root, int wave, String trigger, List<RebuildOutcome> outcomes,
            List<RebuildReport> otherRuns) {
        Optional<BaseImageConfig> rootBase = rootBase(root, run);
        int images = rootBase.map(b -> graph.descendants(b).size()).orElse(0);
        int waves = Math.max(wave, rootBase.map(graph::depth).orElse(wave));
        return new RebuildReport(Result.REBUILDING, trigger, run, root, images, wave, waves,
                withImagesNotRebuiltBelow(outcomes, run, rootBase), null, otherRuns);
    }

    private List<RebuildOutcome> withImagesNotRebuiltBelow(List<RebuildOutcome> outcomes, RunKey run,
            Optional<BaseImageConfig> rootBase) {
        boolean anyEnded = outcomes.stream().anyMatch(o -> ENDED_WITHOUT_IMAGE.contains(o.status()));
        // One read of the run for the whole report, and none for a report in which no rebuild ended without an image.
        List<Rebuild> ended = anyEnded && rootBase.isPresent() ? endedWithoutImage(run) : List.of();
        return outcomes.stream().map(o -> withImagesNotRebuiltBelow(o, ended, rootBase)).toList();
    }

    /**
     * A rebuild that ended without an image leaves the images below it that no other producer in its cascade can still
     * reach never planned.
     */
    private RebuildOutcome withImagesNotRebuiltBelow(RebuildOutcome outcome, List<Rebuild> ended, Optional<BaseImageConfig> rootBase) {
        String because = switch (outcome.status()) {
            case SUPERSEDED -> "their base image's rebuild was superseded";
            case BLOCKED -> "their base image's rebuild was blocked by a revocation";
            case FAILED -> "their base image's rebuild failed";
            case PENDING, STARTING, STARTED, SUCCEEDED -> null;
        };
        if (because == null || rootBase.isEmpty()) {
            return outcome;
        }
        return outcome.notRebuildingBelow(graph.below(rootBase.get(), outcome.dependent(), endedBefore(ended, outcome.dependent())).size(),
                because);
    }

    /** The rebuilds of {@code run} that left no image to continue its cascade, in the order they ended (ties by name). */
    private List<Rebuild> endedWithoutImage(RunKey run) {
        return ledger.run(run).stream().filter(r -> ENDED_WITHOUT_IMAGE.contains(r.status())).sorted(END_ORDER).toList();
    }

    /**
     * Of {@code ended}, those that ended before {@code dependent}'s rebuild did; all of them when it has not. So each
     * image lost with several of them is counted below the one that ended last, whichever report tells it. Rebuilds of
     * the cascade's other runs are taken as still live, and an image they alone could have reached is counted by none:
     * the count is low then, never high.
     */
    private static Set<String> endedBefore(List<Rebuild> ended, String dependent) {
        Optional<Rebuild> own = ended.stream().filter(r -> r.dependent().equals(dependent)).findFirst();
        return ended.stream()
                .filter(r -> own.isEmpty() || END_ORDER.compare(r, own.get()) < 0)
                .map(Rebuild::dependent)
                .collect(Collectors.toSet());
    }

    /**
     * The base image a cascade began with: of the root repository's base images, the one this run descends from. Empty
     * when the configuration no longer names the root's repository (a rebuild planned before it changed).
     */
    private Optional<BaseImageConfig> rootBase(RunKey root, RunKey run) {
        List<BaseImageConfig> candidates = graph.basesOfRepository(root.baseRepository());
        List<BaseImageConfig> ofRun = graph.basesOfRepository(run.baseRepository());
        return candidates.stream()
                .filter(b -> root.equals(run) || ofRun.stream().anyMatch(r -> r.dependents().stream()
                        .anyMatch(d -> graph.waveOf(b, d.name()).isPresent())))
                .findFirst()
                .or(() -> (ofRun.isEmpty() ? candidates : ofRun).stream().findFirst());
    }

    /**
     * When the pushed image is some dependent's product and says which base digest it was built on, remembers that,
     * and answers the rebuild that produced it: the parent that places this image's own dependents in the next wave.
     */
    private Optional<Rebuild> recordLineage(ImagePush push, ImageDigest digest) {
        List<DependentConfig> producers = graph.producersOf(push.repository());
        if (producers.isEmpty()) {
            return Optional.empty();
        }
        Optional<ImageDigest> baseDigest;
        try {
            baseDigest = labels.baseDigest(push.account(), push.region(), push.repository(), digest.value())
                    .flatMap(RebuildService::digestOrEmpty);
        } catch (ImageLabels.ImageLabelsException e) {
            // Lineage is knowledge, not a precondition: the push still rebuilds what it must.
            return Optional.empty();
        }
        if (baseDigest.isEmpty()) {
            return Optional.empty();
        }
        Optional<Rebuild> parent = producers.stream()
                .flatMap(p -> ledger.find(p.name(), baseDigest.get()).stream())
                .reduce((first, second) -> second);
        String baseRepository = parent.map(Rebuild::baseRepository)
                .orElseGet(() -> graph.baseOf(producers.get(0).name()).map(BaseImageConfig::repository).orElseThrow());
        ImageLineage lineage = new ImageLineage(push.repository(), digest, baseRepository, baseDigest.get(),
                ImageLineage.Source.LABELS, clock.instant());
        ledger.recordLineage(lineage);
        if (history != null) {
            history.recordChild(lineage);
        }
        return parent;
    }

    /**
     * Vetoes a pushed image that descends from a revoked base, so a build that finished after the revocation cannot
     * be deployed either. @return what was vetoed, to append to the report's note; empty when nothing was
     */
    private String vetoIfBuiltOnRevoked(String repository, ImageDigest digest) {
        if (vetoes == null) {
            return "";
        }
        Optional<RevokedBase> cause = vetoes.revokedAncestor(repository, digest)
                .filter(r -> !(r.repository().equals(repository) && r.digest().equals(digest)));
        if (cause.isEmpty()) {
            return "";
        }
        List<Veto> added = vetoes.veto(repository, digest, cause.get());
        return added.isEmpty()
                ? "; built on revoked base " + cause.get().describe() + " (no environment deploys " + repository + ", or all veto it already)"
                : "; built on revoked base " + cause.get().describe() + ", so vetoed for "
                        + String.join(", ", added.stream().map(v -> v.service() + "/" + v.environment()).toList());
    }

    private static Optional<ImageDigest> digestOrEmpty(String text) {
        try {
            return Optional.of(ImageDigest.parse(text));
        } catch (ImageDigest.InvalidDigestException e) {
            return Optional.empty();
        }
    }

    /** Reclaims stalled starts, then starts the oldest pending rebuilds ({@code preferred}'s first) while slots are free. */
    private void fill(RunKey preferred, Outcomes outcomes) {
        int max = config.rebuilds().maxConcurrentBuilds();
        Instant now = clock.instant();
        for (Rebuild stalled : ledger.stalled(now, max)) {
            Rebuild takenOver = stalled.starting(now.plus(START_LEASE), now);
            if (ledger.replace(takenOver) && !start(takenOver, outcomes)) {
                return;
            }
        }
        Set<RebuildKey> tried = new HashSet<>();
        while (true) {
            Optional<Rebuild> next = nextPending(preferred, tried);
            if (next.isEmpty()) {
                return;
            }
            tried.add(next.get().key());
            Rebuild starting = next.get().starting(now.plus(START_LEASE), now);
            switch (ledger.takeSlot(starting, max)) {
                case FULL -> {
                    return;
                }
                case CONFLICT -> {
                    // another invocation moved it first; the next candidate is read afresh
                }
                case TAKEN -> {
                    if (!start(starting, outcomes)) {
                        return;
                    }
                }
            }
        }
    }

    private Optional<Rebuild> nextPending(RunKey preferred, Set<RebuildKey> tried) {
        // Asking for one more than already tried always reaches an untried one, if any is left.
        if (preferred != null) {
            Optional<Rebuild> own = ledger.pending(preferred, tried.size() + 1).stream()
                    .filter(r -> !tried.contains(r.key())).findFirst();
            if (own.isPresent()) {
                return own;
            }
        }
        return ledger.pending(tried.size() + 1).stream().filter(r -> !tried.contains(r.key())).findFirst();
    }

    /**
     * Starts a rebuild that holds a slot, or adopts the build an earlier attempt started.
     *
     * @return false when the build service is out of capacity, so nothing else should try now
     * @throws EarlierBuildUnknownException when it cannot be told whether an earlier attempt started the build
     */
    private boolean start(Rebuild starting, Outcomes outcomes) {
        String token = idempotencyToken(starting.key());
        // An earlier attempt may have started the build without recording it (it died, or its answer was lost), and
        // once CodeBuild has forgotten the token, starting with it again would start a second build.
        if (starting.attempts() > 1) {
            Optional<StartedBuild> earlier = earlierBuild(starting, token);
            if (earlier.isPresent()) {
                adopt(starting, earlier.get(), outcomes);
                return true;
            }
        }
        // Asked only now that the slot is held: a newer rebuild enqueued before the slot was taken is seen here, and one
        // enqueued after it finds this one started, which is then left to finish.
        Optional<RebuildKey> newer = supersederOf(starting);
        if (newer.isPresent()) {
            settle(starting, RebuildStatus.SUPERSEDED, supersededReason(starting, newer.get()), Action.SUPERSEDED, outcomes);
            return true;
        }
        // Planned before its base digest, or one that base was built on, was revoked: building it now would make an
        // image the revocation vetoes anyway.
        Optional<RevokedBase> revokedBase = vetoes == null ? Optional.empty()
                : vetoes.revokedAncestor(starting.baseRepository(), starting.key().baseDigest());
        if (revokedBase.isPresent()) {
            RevokedBase cause = revokedBase.get();
            settle(starting, RebuildStatus.BLOCKED, "not started: " + (cause.repository().equals(starting.baseRepository())
                    && cause.digest().equals(starting.key().baseDigest()) ? "its base " : "its base is built on ") + cause.describe()
                    + ", revoked by " + cause.revokedBy() + ": " + cause.reason(), Action.BLOCKED, outcomes);
            return true;
        }
        Map<String, String> variables = Map.of(
                BASE_IMAGE_VARIABLE, starting.baseImage(),
                BASE_DIGEST_VARIABLE, starting.key().baseDigest().value());
        String buildId;
        try {
            buildId = builds.start(starting.target(), variables, token);
        } catch (BuildRunner.CapacityExceededException e) {
            settle(starting, RebuildStatus.PENDING, "deferred: the account runs as many builds as it may; tried again when a "
                    + "build finishes or at the next sweep", Action.DEFERRED, outcomes);
            return false;
        } catch (BuildRunner.BuildTargetNotFoundException e) {
            settle(starting, RebuildStatus.FAILED, describe(starting.target()) + " does not exist: fix dependent '"
                    + starting.dependent() + "' in gantry.yml, then rebuild it manually", Action.FAILED, outcomes);
            return true;
        } catch (BuildRunner.BuildRunnerException e) {
            boolean givingUp = starting.attempts() >= MAX_START_ATTEMPTS;
            settle(starting, givingUp ? RebuildStatus.FAILED : RebuildStatus.PENDING,
                    (givingUp ? "gave up after " + starting.attempts() + " attempts to start it: " : "start attempt "
                            + starting.attempts() + " failed, tried again later: ") + e.getMessage(),
                    givingUp ? Action.FAILED : Action.DEFERRED, outcomes);
            return true;
        }
        Rebuild started = starting.started(buildId, clock.instant());
        if (ledger.replace(started)) {
            outcomes.put(started, Action.STARTED, "started " + buildId);
        } else {
            // Another invocation took the start over after this one's lease ran out, and either found this build or,
            // within the service's memory of the shared token, was answered with it.
            Rebuild current = ledger.find(starting.key()).orElse(starting);
            outcomes.put(current, Action.STARTED, "started " + buildId + "; recorded by another invocation");
        }
        return true;
    }

    private Optional<StartedBuild> earlierBuild(Rebuild starting, String token) {
        try {
            // No attempt can have started it before it was planned.
            return builds.findStarted(starting.target(), token, starting.createdAt());
        } catch (BuildRunner.BuildRunnerException e) {
            // Starting anyway could run the build twice; failing leaves the slot STARTING under this attempt's lease.
            throw new EarlierBuildUnknownException("could not tell whether an earlier attempt started the build of "
                    + starting.dependent() + " (" + starting.target().kind().name().toLowerCase() + " " + starting.target().name()
                    + "): " + e.getMessage() + "; nothing was started; the start is taken over again once its lease ends at "
                    + starting.leaseUntil(), e);
        }
    }

    /** Records the build an earlier attempt started as this rebuild's, and settles it at once if it has ended. */
    private void adopt(Rebuild starting, StartedBuild build, Outcomes outcomes) {
        String found = "found " + build.id() + ", started by an earlier attempt";
        Rebuild started = starting.started(build.id(), clock.instant());
        if (!ledger.replace(started)) {
            Rebuild current = ledger.find(starting.key()).orElse(starting);
            outcomes.put(current, Action.STARTED, found + "; recorded by another invocation");
            return;
        }
        // An ended build's event found no rebuild with its id, so nothing else would settle it and free its slot.
        switch (build.state()) {
            case RUNNING -> outcomes.put(started, Action.STARTED, found);
            case SUCCEEDED -> finish(started, build.id(), true, null, outcomes);
            case FAILED -> finish(started, build.id(), false, build.detail(), outcomes);
        }
    }

    /** Settles a rebuild whose build ended and frees its slot, unless another writer settled it first. */
    private void finish(Rebuild rebuild, String buildId, boolean succeeded, String reason, Outcomes outcomes) {
        Rebuild current = rebuild;
        while (current.status().inFlight()) {
            Rebuild settled = succeeded
                    ? current.settled(RebuildStatus.SUCCEEDED, null, clock.instant())
                    : current.settled(RebuildStatus.FAILED, "the build failed" + (reason == null ? "" : ": " + reason), clock.instant());
            if (ledger.releaseSlot(settled)) {
                outcomes.put(settled, Action.FINISHED, succeeded ? "build " + buildId + " succeeded" : settled.reason());
                return;
            }
            current = ledger.find(current.key()).orElseThrow(); // a duplicate event recorded it first
        }
        outcomes.put(current, Action.ALREADY_PLANNED, "already " + current.status());
    }

    private void settle(Rebuild starting, RebuildStatus status, String reason, Action action, Outcomes outcomes) {
        Rebuild settled = starting.settled(status, reason, clock.instant());
        if (ledger.releaseSlot(settled)) {
            outcomes.put(settled, action, reason);
        } else {
            Rebuild current = ledger.find(starting.key()).orElse(starting);
            outcomes.put(current, action, reason + " (another invocation has taken it over)");
        }
    }

    /**
     * Whether an earlier attempt started a rebuild's build could not be told, so nothing was started: the rebuild keeps
     * its slot, STARTING, until the lease of the attempt that asked ends, and the first event or sweep after that asks
     * again.
     */
    public static final class EarlierBuildUnknownException extends RuntimeException {
        public EarlierBuildUnknownException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What one call did, per rebuild, in the order it first touched each; the rebuilds are kept to tell runs apart. */
    private static final class Outcomes {
        private final Map<RebuildKey, RebuildOutcome> byKey = new LinkedHashMap<>();
        private final Map<RebuildKey, Rebuild> rebuilds = new HashMap<>();

        /** Holds {@code key}'s place in the order before anything is known of it. */
        void reserve(RebuildKey key) {
            byKey.putIfAbsent(key, null);
        }

        void put(Rebuild rebuild, Action action, String detail) {
            byKey.put(rebuild.key(), RebuildOutcome.of(rebuild, action, detail));
            rebuilds.put(rebuild.key(), rebuild);
        }

        boolean told(RebuildKey key) {
            return byKey.get(key) != null;
        }

        List<RebuildOutcome> all() {
            return byKey.values().stream().filter(Objects::nonNull).toList();
        }

        List<RebuildOutcome> of(RunKey run) {
            return byKey.entrySet().stream()
                    .filter(e -> e.getValue() != null && rebuilds.get(e.getKey()).run().equals(run))
                    .map(Map.Entry::getValue)
                    .toList();
        }

        /** A rebuild of each run told of, in the order the runs were first touched: each run's root and wave. */
        List<Rebuild> oneOfEachRun() {
            Map<RunKey, Rebuild> runs = new LinkedHashMap<>();
            byKey.keySet().stream().map(rebuilds::get).filter(Objects::nonNull).forEach(r -> runs.putIfAbsent(r.run(), r));
            return List.copyOf(runs.values());
        }
    }

    /** The same for every attempt at the same rebuild; 64 hex digits fit both CodeBuild's and CodePipeline's token rules. */
    static String idempotencyToken(RebuildKey key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] hash = sha256.digest((key.dependent() + "\n" + key.baseDigest().value() + "\n" + key.occasion())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private String baseImage(BaseImageConfig base, ImageDigest digest) {
        return ImageReference.ecr(account, region, base.repository(), digest).render();
    }

    private String registryHost() {
        return account + ".dkr.ecr." + region + ".amazonaws.com";
    }

    private static BuildTarget targetOf(DependentConfig dependent) {
        return dependent.codebuild() != null
                ? new BuildTarget(BuildTarget.Kind.CODEBUILD, dependent.codebuild())
                : new BuildTarget(BuildTarget.Kind.PIPELINE, dependent.pipeline());
    }

    private static String describe(BuildTarget target) {
        return switch (target.kind()) {
            case CODEBUILD -> "CodeBuild project '" + target.name() + "'";
            case PIPELINE -> "pipeline '" + target.name() + "'";
        };
    }
}
