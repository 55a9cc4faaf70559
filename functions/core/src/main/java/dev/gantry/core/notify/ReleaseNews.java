package dev.gantry.core.notify;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateEvaluation.CheckSummary;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Something that happened to a release, a rebuild or a pipeline run, as Gantry's functions hand it to the notifier:
 * plain values, so that it can travel through a queue and be told in Slack later.
 *
 * <p>Every piece of news has a stable {@link #newsId()}: the same news delivered twice (a queue's redelivery, an event
 * AWS sent twice, a report translated again) carries the same id and changes nothing the second time. News carries
 * its own {@link #at()} because it may arrive late and out of order; the thread's fold decides what still changes it.
 *
 * <p>The static factories translate Gantry's reports ({@link DeployOutcome} with its {@link Release},
 * {@link GateRecord}, {@link RebuildReport}), so that a handler only hands the report over. Events that Gantry does
 * not report on itself (CodePipeline, CodeBuild, CloudWatch alarms) have factories taking the event's fields.
 */
public sealed interface ReleaseNews permits ReleaseNews.DeployStarted, ReleaseNews.DeployDeclined, ReleaseNews.RolloutChanged,
        ReleaseNews.GateChanged, ReleaseNews.GateDecided, ReleaseNews.PipelineChanged, ReleaseNews.BuildChanged,
        ReleaseNews.RebuildChanged, ReleaseNews.AlarmChanged {

    /** Identifies this news; the same news always carries the same id. */
    String newsId();

    /** When it happened, as the source said (not when it was delivered). */
    Instant at();

    /** The thread it is told in: see {@link ThreadKey} for the rule. */
    ThreadKey thread();

    /**
     * A service environment was moved to a new task-definition revision pinned to {@code digest}: its rollout begins.
     *
     * @param previousTag the tag the environment ran before; null when unknown
     * @param previousDigest the digest it ran before, {@code sha256:} and all or only the first 12 hex digits of it;
     *     null when unknown
     * @param changes the task-definition diff, one readable line per changed container
     * @param triggeredBy who set the release going, as far as the trigger told; empty when it did not
     * @param account the ECS service's account, for console links; null when unknown
     * @param region the ECS service's region, for console links; null when unknown
     * @param cluster the ECS cluster; null when unknown
     * @param ecsService the ECS service's name; null when unknown
     */
    record DeployStarted(String newsId, Instant at, String service, String environment, ImageDigest digest, String tag,
            String previousTag, String previousDigest, List<String> changes, List<String> triggeredBy, String taskDefinitionArn,
            String previousTaskDefinitionArn, String account, String region, String cluster, String ecsService) implements ReleaseNews {

        public DeployStarted {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(digest, "digest");
            changes = changes == null ? List.of() : List.copyOf(changes);
            triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.release(service, digest);
        }

        /**
         * The news of a {@link DeployOutcome.Result#DEPLOYED} outcome.
         *
         * @param release the release record the deploy carried out
         * @param previous the release the environment ran before, when the caller knows it; otherwise the old tag and
         *     digest are read from the first change line
         * @param target the ECS service, for console links; null when unknown
         * @throws IllegalArgumentException for any other result: nothing was started
         */
        public static DeployStarted of(DeployOutcome outcome, Release release, Release previous, EcsServiceRef target,
                List<String> triggeredBy, Instant at) {
            if (outcome.result() != DeployOutcome.Result.DEPLOYED) {
                throw new IllegalArgumentException("a " + outcome.result() + " outcome started no deploy");
            }
            ReleaseKey key = release.key();
            String previousTag = null;
            String previousDigest = null;
            if (previous != null) {
                previousTag = previous.tag();
                previousDigest = previous.key().digest().value();
            } else if (!outcome.changes().isEmpty()) {
                Optional<ImageReference> before = oldImage(outcome.changes().getFirst());
                previousTag = before.map(ImageReference::tag).orElse(null);
                previousDigest = before.map(ImageReference::digest).orElse(null);
            }
            List<String> changes = outcome.changes().isEmpty() ? release.changes() : outcome.changes();
            String taskDefinition = outcome.toTaskDefinitionArn() != null ? outcome.toTaskDefinitionArn() : release.taskDefinitionArn();
            String previousTaskDefinition = outcome.fromTaskDefinitionArn() != null ? outcome.fromTaskDefinitionArn()
                    : release.previousTaskDefinitionArn();
            // A release deployed again (a rollback to it) is a new deploy: its id names the redeploy.
            String id = "deploy/" + key.id() + (release.redeployedAt() == null ? "" : "/redeploy@" + release.redeployedAt());
            return new DeployStarted(id, at, key.service(), key.environment(), key.digest(), release.tag(),
                    previousTag, previousDigest, changes, triggeredBy, taskDefinition, previousTaskDefinition,
                    target == null ? null : target.account(), target == null ? null : target.region(),
                    target == null ? null : target.cluster(), target == null ? null : target.service());
        }

        /** {@code app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739} gives {@code payments-api:1.3.0}. */
        private static Optional<ImageReference> oldImage(String change) {
            int colon = change.indexOf(": ");
            int arrow = change.indexOf(" -> ");
            if (colon < 0 || arrow < colon) {
                return Optional.empty();
            }
            return Optional.of(ImageReference.parse(change.substring(colon + 2, arrow)));
        }
    }

    /**
     * A service environment did not take the digest: {@link DeployOutcome.Result#HELD} (a gate or a pin) or
     * {@link DeployOutcome.Result#REFUSED} (vetoed).
     */
    record DeployDeclined(String newsId, Instant at, String service, String environment, ImageDigest digest, String tag,
            DeployOutcome.Result result, String reason) implements ReleaseNews {

        public DeployDeclined {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(digest, "digest");
            if (result != DeployOutcome.Result.HELD && result != DeployOutcome.Result.REFUSED) {
                throw new IllegalArgumentException("declined means HELD or REFUSED, not " + result);
            }
            reason = reason == null ? "" : reason;
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.release(service, digest);
        }

        /**
         * The news of a held or refused outcome of {@code report}; empty for the other results, which tell nothing a
         * release thread shows (a tag outside the policy, a duplicate, a dry run), and for a report without a digest.
         *
         * @param tag the tag the image came with; null when unknown
         */
        public static Optional<ReleaseNews> of(DeployReport report, DeployOutcome outcome, String tag, Instant at) {
            if (outcome.result() != DeployOutcome.Result.HELD && outcome.result() != DeployOutcome.Result.REFUSED) {
                return Optional.empty();
            }
            String digest = report.image() == null ? null : ImageReference.parse(report.image()).digest();
            if (digest == null) {
                return Optional.empty();
            }
            ReleaseKey key = new ReleaseKey(outcome.service(), outcome.environment(), ImageDigest.parse(digest));
            return Optional.of(new DeployDeclined("declined/" + key.id() + "/" + outcome.result() + "/" + report.eventId(), at,
                    outcome.service(), outcome.environment(), key.digest(), tag, outcome.result(), outcome.reason()));
        }
    }

    /** How an environment's ECS rollout of the digest goes; a final status says why when ECS did. */
    record RolloutChanged(String newsId, Instant at, String service, String environment, ImageDigest digest, RolloutStatus status,
            String reason) implements ReleaseNews {

        public RolloutChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(status, "status");
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.release(service, digest);
        }

        /**
         * The news of a release's recorded rollout status.
         *
         * @throws IllegalArgumentException when the release has no rollout yet
         */
        public static RolloutChanged of(Release release, Instant at) {
            if (release.rolloutStatus() == null) {
                throw new IllegalArgumentException("release " + release.key().id() + " has no rollout yet");
            }
            ReleaseKey key = release.key();
            String redeploy = release.redeployedAt() == null ? "" : "/redeploy@" + release.redeployedAt();
            return new RolloutChanged("rollout/" + key.id() + redeploy + "/" + release.rolloutStatus(), at, key.service(), key.environment(),
                    key.digest(), release.rolloutStatus(), release.rolloutReason());
        }
    }

    /**
     * Where the digest stands at an environment's gate.
     *
     * @param evidence each check's verdict ({@code approvals WAIT: 1 of 2 approvals}), each followed by its evidence
     *     lines indented by two spaces
     * @param approvals approvals counted; 0 with {@code approvalsRequired} 0 when the gate has no approvals check
     * @param approvalsRequired approvals the gate needs
     */
    record GateChanged(String newsId, Instant at, String service, String environment, ImageDigest digest, String tag, String gate,
            GateStatus status, String reason, List<String> evidence, int approvals, int approvalsRequired) implements ReleaseNews {

        private static final Pattern TALLY = Pattern.compile("(\\d+) of (\\d+) approvals");

        public GateChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(status, "status");
            reason = reason == null ? "" : reason;
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.release(service, digest);
        }

        /** The latest answer of {@code record}: its status, reason, and the evidence of its newest evaluation. */
        public static GateChanged of(GateRecord record) {
            ReleaseKey key = record.key();
            GateEvaluation latest = record.evaluations().isEmpty() ? null : record.evaluations().getLast();
            List<String> evidence = new ArrayList<>();
            int approvals = 0;
            int required = 0;
            if (latest != null) {
                for (CheckSummary check : latest.checks()) {
                    evidence.add(check.check() + " " + check.verdict() + (check.reason() == null ? "" : ": " + check.reason()));
                    check.evidence().forEach(line -> evidence.add("  " + line));
                    if (check.check().equals("approvals")) {
                        Matcher tally = TALLY.matcher(check.reason() != null ? check.reason() : String.join("\n", check.evidence()));
                        if (tally.find()) {
                            approvals = Integer.parseInt(tally.group(1));
                            required = Integer.parseInt(tally.group(2));
                        }
                    }
                }
            }
            // A superseded record keeps its last evaluation: the supersession itself is the news.
            Instant at = latest == null || record.status() == GateStatus.SUPERSEDED ? record.updatedAt() : latest.firstAt();
            String round = record.arrival() == null ? "" : record.arrival() + "/";
            return new GateChanged("gate/" + key.id() + "/" + round + record.status() + "/" + at, at, key.service(), key.environment(),
                    key.digest(), record.tag(), record.gate(), record.status(), record.reason(), evidence, approvals, required);
        }
    }

    /** A person decided on the digest at an environment's gate. */
    record GateDecided(String newsId, Instant at, String service, String environment, ImageDigest digest, String gate, String by,
            Approval.Decision decision, String comment) implements ReleaseNews {

        public GateDecided {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(decision, "decision");
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.release(service, digest);
        }

        /** Each decision on the record's own digest (one on another digest is not about this release). */
        public static List<GateDecided> of(GateRecord record) {
            ReleaseKey key = record.key();
            return record.decisions().stream()
                    .filter(d -> d.digest().equals(key.digest()))
                    .map(d -> new GateDecided("gate-decision/" + key.id() + "/" + d.userId() + "/" + d.decision() + "/" + d.at(), d.at(),
                            key.service(), key.environment(), key.digest(), record.gate(), d.userId(), d.decision(), d.comment()))
                    .toList();
        }
    }

    /** Everything {@code record} tells: its latest answer, then each decision on it. Already told news is skipped by the thread. */
    static List<ReleaseNews> ofGate(GateRecord record) {
        List<ReleaseNews> news = new ArrayList<>(GateDecided.of(record));
        news.add(GateChanged.of(record));
        return List.copyOf(news);
    }

    /**
     * A CodePipeline execution, or one of its stages, changed state.
     *
     * @param stage the stage; null for the execution as a whole
     * @param state CodePipeline's state: STARTED, SUCCEEDED, FAILED, STOPPED, CANCELED, SUPERSEDED, RESUMED
     * @param service the service the pipeline releases, when known (it picks the channel)
     * @param digest the image the execution carries, when known: then the news belongs to that release's thread
     */
    record PipelineChanged(String newsId, Instant at, String pipeline, String executionId, String stage, String state, String service,
            ImageDigest digest, String region) implements ReleaseNews {

        public PipelineChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(pipeline, "pipeline");
            Objects.requireNonNull(executionId, "executionId");
            Objects.requireNonNull(state, "state");
        }

        @Override
        public ThreadKey thread() {
            return service != null && digest != null ? ThreadKey.release(service, digest) : ThreadKey.pipeline(pipeline, executionId);
        }

        public static PipelineChanged of(String pipeline, String executionId, String stage, String state, String service,
                ImageDigest digest, String region, Instant at) {
            return new PipelineChanged("pipeline/" + pipeline + "/" + executionId + "/" + (stage == null ? "-" : stage) + "/" + state, at,
                    pipeline, executionId, stage, state, service, digest, region);
        }
    }

    /**
     * A CodeBuild build changed state. Which thread it belongs to depends on what the build is for (a rebuild on a
     * base digest, a pipeline's build), which the caller knows from its own records.
     *
     * @param status CodeBuild's status: IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED, TIMED_OUT
     * @param logsUrl the logs' deep link CodeBuild's event carries; null to link the build's console page instead
     */
    record BuildChanged(String newsId, Instant at, ThreadKey thread, String project, String buildId, String status, String logsUrl,
            String region, String account) implements ReleaseNews {

        public BuildChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(thread, "thread");
            Objects.requireNonNull(project, "project");
            Objects.requireNonNull(buildId, "buildId");
            Objects.requireNonNull(status, "status");
        }

        public static BuildChanged of(ThreadKey thread, String project, String buildId, String status, String logsUrl, String region,
                String account, Instant at) {
            return new BuildChanged("build/" + buildId + "/" + status, at, thread, project, buildId, status, logsUrl, region, account);
        }
    }

    /**
     * Progress of the rebuilds a base digest started: the wave this report is about and, per dependent it touched,
     * where its rebuild stands. The thread adds the dependents up across reports.
     *
     * @param baseName the cascade's root base (its repository)
     * @param images how many images the base's change rebuilds, every wave counted
     * @param summary the report's summary line
     */
    record RebuildChanged(String newsId, Instant at, String baseName, ImageDigest baseDigest, int wave, int waves, int images,
            String summary, List<Dependent> dependents) implements ReleaseNews {

        public RebuildChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(baseName, "baseName");
            Objects.requireNonNull(baseDigest, "baseDigest");
            summary = summary == null ? "" : summary;
            dependents = dependents == null ? List.of() : List.copyOf(dependents);
        }

        @Override
        public ThreadKey thread() {
            return ThreadKey.rebuild(baseName, baseDigest);
        }

        /**
         * @param status the rebuild's {@link dev.gantry.core.rebuild.RebuildStatus} name
         * @param line the report's line for it
         * @param notRebuiltBelow how many images of the cascade below this dependent will not be rebuilt because its
         *     rebuild left no image to continue the cascade; 0 otherwise, and in news told before it was known
         * @param notRebuiltBecause why, completing "N not rebuilt: ..."; null when none
         */
        public record Dependent(String name, int wave, String status, String buildId, String line, int notRebuiltBelow,
                String notRebuiltBecause) {
            public Dependent {
                Objects.requireNonNull(name, "name");
                Objects.requireNonNull(status, "status");
                notRebuiltBelow = Math.max(0, notRebuiltBelow);
                if (notRebuiltBelow == 0) {
                    notRebuiltBecause = null;
                } else if (notRebuiltBecause == null) {
                    notRebuiltBecause = "their base image was not rebuilt";
                }
            }

            /** A dependent that leaves nothing below it unaccounted for. */
            public Dependent(String name, int wave, String status, String buildId, String line) {
                this(name, wave, status, buildId, line, 0, null);
            }
        }

        /**
         * The news of a report that worked on a cascade; empty when it did not (ignored, a failed base, or the resume
         * sweep, whose outcomes span cascades it does not name).
         */
        public static Optional<RebuildChanged> of(RebuildReport report, Instant at) {
            if (report.result() != RebuildReport.Result.REBUILDING || report.root() == null || report.run() == null) {
                return Optional.empty();
            }
            List<Dependent> dependents = report.outcomes().stream()
                    .map(o -> new Dependent(o.dependent(), o.wave(), o.status().name(), o.buildId(), o.line(), o.notRebuiltBelow(),
                            o.notRebuiltBecause()))
                    .toList();
            // Reports carry no id of their own: what they say is their identity, so a report translated twice is one news.
            String id = "rebuild/" + report.root().describe() + "/" + report.run().describe() + "/" + report.run().occasion() + "/"
                    + fingerprint(report.lines());
            return Optional.of(new RebuildChanged(id, at, report.root().baseRepository(), report.root().baseDigest(), report.wave(),
                    report.waves(), report.images(), report.summary(), dependents));
        }
    }

    /**
     * A CloudWatch alarm changed state: one a gate watches, told in the threads of the releases waiting on it, or one of
     * Gantry's own, told in its {@link ThreadKey.Kind#OPERATIONS} thread. The caller knows which threads.
     *
     * @param state OK, ALARM or INSUFFICIENT_DATA
     * @param description the alarm's description as CloudWatch's event carries it (Gantry's own alarms say there what
     *     to do); empty when it has none
     */
    record AlarmChanged(String newsId, Instant at, ThreadKey thread, String alarmName, String state, String reason, String region,
            String description) implements ReleaseNews {

        public AlarmChanged {
            requireIdAndTime(newsId, at);
            Objects.requireNonNull(thread, "thread");
            Objects.requireNonNull(alarmName, "alarmName");
            Objects.requireNonNull(state, "state");
            reason = reason == null ? "" : reason;
            description = description == null ? "" : description;
        }

        public static AlarmChanged of(ThreadKey thread, String alarmName, String state, String reason, String region, Instant at) {
            return of(thread, alarmName, state, reason, region, null, at);
        }

        /** @param description the alarm's description; null or empty when it has none */
        public static AlarmChanged of(ThreadKey thread, String alarmName, String state, String reason, String region, String description,
                Instant at) {
            return new AlarmChanged("alarm/" + alarmName + "/" + state + "/" + at, at, thread, alarmName, state, reason, region, description);
        }
    }

    private static void requireIdAndTime(String newsId, Instant at) {
        if (newsId == null || newsId.isBlank()) {
            throw new IllegalArgumentException("news needs an id");
        }
        Objects.requireNonNull(at, "at");
    }

    private static String fingerprint(List<String> lines) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] hash = sha.digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
