package dev.gantry.core.notify;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ReleaseNews.RolloutChanged;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.PipelineJobReport;
import dev.gantry.core.pipeline.PipelineTarget;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.rollout.RolloutOutcome;
import dev.gantry.core.rollout.RolloutReport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Tells the news of deploy reports: the deploy functions', and those of deploys started from Slack. A report says what happened to which service environment; the
 * release record it names holds the rest a release thread shows (the full digest, the revisions, what ran before),
 * so that is read back from the release store once the work is done. Nothing is read when nothing listens.
 *
 * <p>Never throws: a problem reading or telling is logged, and the report stands.
 */
public final class DeployNews {

    /** Tells nothing and reads nothing: for handlers built without a notifier. */
    public static final DeployNews NONE = new DeployNews(null, null, Notifier.NONE, Clock.systemUTC());

    private final GantryConfig config;
    private final ReleaseStore releases;
    private final NewsTeller teller;
    private final Clock clock;

    /**
     * @param releases the store the deploys record their releases in
     * @param clock when the news is told: deploy reports carry no time of their own
     */
    public DeployNews(GantryConfig config, ReleaseStore releases, Notifier notifier, Clock clock) {
        this.teller = new NewsTeller(notifier);
        this.config = teller.listening() ? Objects.requireNonNull(config, "config") : config;
        this.releases = teller.listening() ? Objects.requireNonNull(releases, "releases") : releases;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Where this news goes; news of the same deploys told elsewhere (a gate sweep's) goes there too. */
    public NewsTeller teller() {
        return teller;
    }

    /** DeployStarted for each environment the push deployed, DeployDeclined for each it was held from or refused. */
    public void afterPush(ImagePush push, DeployReport report) {
        teller.tell("push " + push.eventId(), () -> ofReport(report, push.tag(), List.of()));
    }

    /**
     * DeployStarted for each environment a requested deploy or rollback moved, DeployDeclined for each it was held from or
     * refused: the {@link dev.gantry.core.deploy.DeployService#withReportListener report listener} of a deploy service
     * whose callers tell no news themselves. The report names neither the tag nor who asked; the release record has the
     * tag of what was deployed, and a declined one is told without it.
     */
    public void afterDeploy(DeployReport report) {
        teller.tell("deploy " + report.eventId(), () -> ofReport(report, null, List.of()));
    }

    /**
     * DeployStarted for the deploy a pipeline job carried out. The job's report does not name the image, so the release
     * is found by the job id it records as its event. A job that was held or refused tells nothing: which digest it
     * was is in the artifact, and only the deploy service read it.
     */
    public void afterPipelineJob(PipelineJob job, PipelineJobReport report) {
        if (report.outcome() != PipelineJobReport.Outcome.SUCCEEDED) {
            return;
        }
        teller.tell("pipeline job " + job.id(), () -> {
            PipelineTarget target = PipelineTarget.fromUserParameters(job.userParameters());
            return deployed(target.service(), target.environment(), release -> job.id().equals(release.eventId()), null,
                    target.triggeredBy()).stream().toList();
        });
    }

    /** RolloutChanged for each release whose rollout the report recorded, as the release now records it. */
    public void afterRollout(RolloutReport report, Instant at) {
        teller.tell("ECS event " + report.eventId(), () -> ofRollout(report, at == null ? clock.instant() : at));
    }

    /** The news a report's outcomes tell; outcomes that tell nothing (skipped, unchanged, duplicate, planned) are left out. */
    List<ReleaseNews> ofReport(DeployReport report, String tag, List<String> triggeredBy) {
        if (report.ignored() || report.image() == null) {
            return List.of();
        }
        ImageDigest digest = ImageDigest.parse(ImageReference.parse(report.image()).digest());
        List<ReleaseNews> news = new ArrayList<>();
        for (DeployOutcome outcome : report.outcomes()) {
            switch (outcome.result()) {
                case DEPLOYED -> {
                    ReleaseKey key = new ReleaseKey(outcome.service(), outcome.environment(), digest);
                    deployed(outcome.service(), outcome.environment(), release -> release.key().equals(key), outcome, triggeredBy)
                            .ifPresent(news::add);
                }
                case HELD, REFUSED -> DeployDeclined.of(report, outcome, tag, clock.instant()).ifPresent(news::add);
                default -> {
                    // Nothing a release thread shows: the tag was no release, the image already ran, or nothing changed.
                }
            }
        }
        return news;
    }

    /**
     * DeployStarted for the release of {@code key} if it moved its service: what a gate's hand-off to the deploy
     * started. Empty when it did not (yet), or moved nothing because the service already ran it.
     */
    public Optional<ReleaseNews> deployed(ReleaseKey key, List<String> triggeredBy) {
        return deployed(key.service(), key.environment(), release -> release.key().equals(key), null, triggeredBy);
    }

    /**
     * @param outcome the deploy's outcome when the caller has it; otherwise the release record says what it moved
     */
    private Optional<ReleaseNews> deployed(String service, String environment, Predicate<Release> which, DeployOutcome outcome,
            List<String> triggeredBy) {
        List<Release> history = releases.history(service, environment);
        Optional<Release> found = history.stream()
                .filter(which)
                .filter(release -> release.status() == ReleaseStatus.SERVICE_UPDATED)
                .filter(release -> !Objects.equals(release.taskDefinitionArn(), release.previousTaskDefinitionArn()))
                .findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Release release = found.get();
        DeployOutcome moved = outcome != null ? outcome : new DeployOutcome(service, environment, DeployOutcome.Result.DEPLOYED,
                "", release.previousTaskDefinitionArn(), release.taskDefinitionArn(), release.changes());
        return Optional.of(DeployStarted.of(moved, release, previous(history, release), target(service, environment), triggeredBy,
                clock.instant()));
    }

    /**
     * The release whose revision the service ran before {@code release}: any release that ran that revision ran the same
     * image, since Gantry registers a revision per image.
     */
    private static Release previous(List<Release> history, Release release) {
        String before = release.previousTaskDefinitionArn();
        if (before == null) {
            return null;
        }
        return history.stream()
                .filter(other -> !other.key().equals(release.key()) && before.equals(other.taskDefinitionArn()))
                .findFirst()
                .orElse(null);
    }

    private EcsServiceRef target(String service, String environment) {
        return config.services().stream()
                .filter(configured -> configured.name().equals(service))
                .flatMap(configured -> configured.environments().stream())
                .filter(configured -> configured.name().equals(environment))
                .findFirst()
                .map(EcsServiceRef::of)
                .orElse(null);
    }

    private List<ReleaseNews> ofRollout(RolloutReport report, Instant at) {
        Map<String, List<RolloutOutcome>> recordedByEnvironment = new LinkedHashMap<>();
        for (RolloutOutcome outcome : report.outcomes()) {
            if (outcome.result() == RolloutOutcome.Result.RECORDED && outcome.release() != null) {
                recordedByEnvironment.computeIfAbsent(outcome.service() + "/" + outcome.environment(), k -> new ArrayList<>()).add(outcome);
            }
        }
        List<ReleaseNews> news = new ArrayList<>();
        for (List<RolloutOutcome> recorded : recordedByEnvironment.values()) {
            // The outcome names its release by the short id people read; the history has the full key behind it.
            List<Release> history = releases.history(recorded.getFirst().service(), recorded.getFirst().environment());
            for (RolloutOutcome outcome : recorded) {
                history.stream()
                        .filter(release -> release.key().id().equals(outcome.release()) && release.rolloutStatus() != null)
                        .findFirst()
                        .ifPresent(release -> news.add(RolloutChanged.of(release, at)));
            }
        }
        return news;
    }
}
