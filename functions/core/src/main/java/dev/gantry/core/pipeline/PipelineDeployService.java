package dev.gantry.core.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployRequest;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactReader.ArtifactReadException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a CodePipeline deploy action: reads the image its input artifact hands over, pins it to a
 * digest, deploys it to the one service environment the action names, and puts the job's result, exactly
 * once per job however often the job's invocation arrives.
 *
 * <p>The job is claimed in the {@link JobLedger} before anything else happens. A copy of the job that
 * finds it completed, or held by a live invocation, does nothing. Every problem with the job itself (its
 * parameters, its artifact, the image, the deploy, a gated environment) becomes a failure result the
 * pipeline shows, worded for people and free of credentials. What cannot be reported to the pipeline fails
 * the invocation instead, so Lambda retries it and finally hands it to the failure destination:
 * {@link JobLedger.JobLedgerException} when the job cannot be claimed, and
 * {@link PipelineJobs.PipelineJobsException} when the result cannot be put (the lease is given up first,
 * so the retry takes over at once).
 */
public final class PipelineDeployService {

    /**
     * How long a claim protects a job in progress: longer than the function's timeout (60 s), so a live
     * invocation never loses it, and shorter than the timeout plus Lambda's first retry delay (about a
     * minute), so the retry of a crashed invocation finds it expired and takes over.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(90);

    private static final Logger LOG = LoggerFactory.getLogger(PipelineDeployService.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final GantryConfig config;
    private final DeployService deploys;
    private final HandedOverImages images;
    private final PipelineJobRunner runner;

    public PipelineDeployService(GantryConfig config, DeployService deploys, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock, Duration lease) {
        this.config = config;
        this.deploys = deploys;
        this.images = new HandedOverImages(artifacts, registry);
        this.runner = new PipelineJobRunner(jobs, ledger, clock, lease);
    }

    public PipelineDeployService(GantryConfig config, DeployService deploys, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock) {
        this(config, deploys, artifacts, registry, jobs, ledger, clock, DEFAULT_LEASE);
    }

    /** Tells the pipeline why the job's event could not be read (see {@link PipelineJobRunner#refuseUnreadable}). */
    public void refuseUnreadable(UnreadableJobException unreadable) {
        runner.refuseUnreadable(unreadable);
    }

    /**
     * Runs the job once: claims it, deploys, puts its result, records it.
     *
     * @param invocationId identifies this attempt as the lease owner
     * @throws JobLedger.JobLedgerException when the job cannot be claimed
     * @throws PipelineJobs.PipelineJobsException when its result cannot be put
     */
    public PipelineJobReport run(PipelineJob job, String invocationId) {
        return runner.run(job, invocationId, j -> decide(j, invocationId));
    }

    /** The job's result. Never throws for a problem with the job: that is the result. */
    private JobResult decide(PipelineJob job, String invocationId) {
        try {
            return deploy(job, invocationId);
        } catch (PipelineJobException e) {
            return PipelineJobRunner.failed(job, e.type(), e.getMessage());
        } catch (DeployService.UnknownTargetException e) {
            return PipelineJobRunner.failed(job, JobFailureType.CONFIGURATION_ERROR, e.getMessage());
        } catch (DeployService.DeployFailedException e) {
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "deploy failed: " + e.getMessage());
        } catch (ArtifactReadException | ImageRegistry.ImageNotFoundException e) {
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, e.getMessage());
        } catch (ImageRegistry.ImageRegistryException e) {
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "could not pin the image to a digest: " + e.getMessage());
        } catch (RuntimeException e) {
            // A defect, not a property of the job: its details stay in the log, the pipeline gets a pointer there.
            LOG.error("pipeline job {} failed unexpectedly", job.id(), e);
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "Gantry failed unexpectedly while running this job (invocation "
                    + invocationId + "); its log has the details");
        }
    }

    private JobResult deploy(PipelineJob job, String invocationId) {
        PipelineTarget target = PipelineTarget.fromUserParameters(job.userParameters());
        ServiceConfig service = target.serviceIn(config);
        EnvironmentConfig environment = target.environmentOf(service);
        HandedOverImages.Pinned handedOver = images.pinned(job, service, environment);
        ImageReference pinned = handedOver.image();
        String tag = handedOver.tag();
        LOG.info("pipeline job {}: deploying {} from {} to {}", job.id(), pinned, handedOver.source(), target);

        DeployReport report = deploys.deploy(
                DeployRequest.fromPipeline(service.name(), environment.name(), pinned, tag, handedOver.pushedAt(), job.id(),
                        target.triggeredBy(), target.executionOf(job)),
                invocationId);
        DeployOutcome outcome = report.outcomes().stream()
                .filter(o -> o.environment().equals(environment.name()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the deploy reported nothing for " + target));
        return switch (outcome.result()) {
            case DEPLOYED, UNCHANGED, DUPLICATE -> PipelineJobRunner.succeeded(job, summary(outcome, pinned, tag));
            // Succeeding now would let the pipeline run on to an image that may never arrive (if the holder dies), and
            // failing would stop a release that is on its way: the action waits, and its next job asks again.
            case IN_PROGRESS -> PipelineJobRunner.continued(job, deployToken(outcome, pinned), summary(outcome, pinned, tag));
            // A dry run must not let the pipeline carry on as if the image were deployed: it stops it, saying
            // what the deploy would have done.
            case PLANNED -> PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "dry run (GANTRY_DRY_RUN): nothing was deployed. The deploy of "
                    + pinned + " to " + service.name() + "/" + environment.name() + " would " + outcome.reason().replaceFirst("^dry run: would ", "")
                    + (outcome.changes().isEmpty() ? "" : "; " + String.join("; ", outcome.changes())));
            case HELD -> PipelineJobRunner.failed(job, JobFailureType.CONFIGURATION_ERROR,
                    environment.gated()
                    ? "environment " + environment.name() + " of " + service.name() + " is behind gate '" + environment.gate()
                            + "', which has not passed " + pinned + ", so it was not deployed: " + outcome.reason()
                            + ". Put Gantry's gate action before this deploy action, so the pipeline waits at the gate."
                    : "environment " + environment.name() + " of " + service.name() + " is held, so " + pinned + " was not deployed: "
                            + outcome.reason());
            // Anything else (a vetoed digest, and whatever the deploy service learns to refuse next) did not
            // deploy: failing the job is the answer that cannot let a pipeline run on past an image that is not there.
            default -> PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "environment " + environment.name() + " of " + service.name()
                    + " did not take " + pinned + " (" + outcome.result() + "): " + outcome.reason());
        };
    }

    /**
     * What the action's next job carries: only what it waits for, for the pipeline's history. The next job does not need
     * it, as it reads the same input artifact and asks the deploy again, which then finds the release done or free.
     */
    private static String deployToken(DeployOutcome outcome, ImageReference pinned) {
        return JSON.createObjectNode()
                .put("v", 1)
                .put("waitingFor", "deploy")
                .put("service", outcome.service())
                .put("environment", outcome.environment())
                .put("image", pinned.render())
                .toString();
    }

    private static String summary(DeployOutcome outcome, ImageReference pinned, String tag) {
        String done = switch (outcome.result()) {
            case DEPLOYED -> "deployed";
            case UNCHANGED -> "already running";
            case DUPLICATE -> "already deployed";
            case IN_PROGRESS -> "waiting for another invocation deploying";
            default -> outcome.result().name().toLowerCase(java.util.Locale.ROOT);
        };
        StringBuilder summary = new StringBuilder()
                .append(outcome.service()).append('/').append(outcome.environment()).append(": ").append(done).append(' ').append(pinned);
        if (!tag.isEmpty()) {
            summary.append(" (tag ").append(tag).append(')');
        }
        summary.append(". ").append(outcome.reason());
        if (!outcome.changes().isEmpty()) {
            summary.append(". Changes: ").append(String.join("; ", outcome.changes()));
        }
        return summary.toString();
    }

}
