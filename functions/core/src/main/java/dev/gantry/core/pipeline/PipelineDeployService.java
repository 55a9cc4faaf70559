package dev.gantry.core.pipeline;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployRequest;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactImagePolicy.HandedOverImage;
import dev.gantry.core.pipeline.ArtifactReader.ArtifactReadException;
import dev.gantry.core.pipeline.JobLedger.Claim;
import dev.gantry.core.pipeline.PipelineJobReport.Disposition;
import dev.gantry.core.pipeline.PipelineJobs.JobAlreadyCompletedException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private final GantryConfig config;
    private final DeployService deploys;
    private final ArtifactReader artifacts;
    private final ImageRegistry registry;
    private final PipelineJobs jobs;
    private final JobLedger ledger;
    private final Clock clock;
    private final Duration lease;

    public PipelineDeployService(GantryConfig config, DeployService deploys, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock, Duration lease) {
        this.config = config;
        this.deploys = deploys;
        this.artifacts = artifacts;
        this.registry = registry;
        this.jobs = jobs;
        this.ledger = ledger;
        this.clock = clock;
        this.lease = lease;
    }

    public PipelineDeployService(GantryConfig config, DeployService deploys, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock) {
        this(config, deploys, artifacts, registry, jobs, ledger, clock, DEFAULT_LEASE);
    }

    /**
     * Runs the job once: claims it, deploys, puts its result, records it.
     *
     * @param invocationId identifies this attempt as the lease owner
     * @throws JobLedger.JobLedgerException when the job cannot be claimed
     * @throws PipelineJobs.PipelineJobsException when its result cannot be put
     */
    public PipelineJobReport run(PipelineJob job, String invocationId) {
        Claim claim = ledger.claim(job.id(), invocationId, clock.instant(), lease);
        return switch (claim) {
            case Claim.AlreadyDone done -> {
                LOG.info("pipeline job {} already has its result: nothing to do", job.id());
                yield PipelineJobReport.of(job.id(), Disposition.ALREADY_COMPLETED, done.job().result());
            }
            case Claim.HeldElsewhere held -> {
                // The holder puts the result, or its failure reaches the failure destination; a second result
                // from this copy is exactly what must not happen.
                LOG.info("pipeline job {} is being run by invocation {} (lease until {}): leaving it to that one", job.id(),
                        held.job().owner(), held.job().leaseUntil());
                yield PipelineJobReport.of(job.id(), Disposition.IN_PROGRESS_ELSEWHERE, null);
            }
            case Claim.Granted granted -> complete(job, invocationId, decide(job, invocationId));
        };
    }

    /** The job's result. Never throws for a problem with the job: that is the result. */
    private JobResult decide(PipelineJob job, String invocationId) {
        try {
            return deploy(job, invocationId);
        } catch (PipelineJobException e) {
            return failed(job, e.type(), e.getMessage());
        } catch (DeployService.UnknownTargetException e) {
            return failed(job, JobFailureType.CONFIGURATION_ERROR, e.getMessage());
        } catch (DeployService.DeployFailedException e) {
            return failed(job, JobFailureType.JOB_FAILED, "deploy failed: " + e.getMessage());
        } catch (ArtifactReadException | ImageRegistry.ImageNotFoundException e) {
            return failed(job, JobFailureType.JOB_FAILED, e.getMessage());
        } catch (ImageRegistry.ImageRegistryException e) {
            return failed(job, JobFailureType.JOB_FAILED, "could not pin the image to a digest: " + e.getMessage());
        } catch (RuntimeException e) {
            // A defect, not a property of the job: its details stay in the log, the pipeline gets a pointer there.
            LOG.error("pipeline job {} failed unexpectedly", job.id(), e);
            return failed(job, JobFailureType.JOB_FAILED, "Gantry failed unexpectedly while running this job (invocation "
                    + invocationId + "); its log has the details");
        }
    }

    private JobResult deploy(PipelineJob job, String invocationId) {
        PipelineTarget target = PipelineTarget.fromUserParameters(job.userParameters());
        ServiceConfig service = service(target);
        EnvironmentConfig environment = environment(service, target);
        HandedOverImage handedOver = handedOverImage(job, service, environment);
        ImageReference pinned = pin(handedOver);
        // A digest handed over without a tag has none to show; an empty tag says so, where null would not survive
        // the release record (the store writes the tag as a string attribute).
        String tag = handedOver.tag() != null ? handedOver.tag() : handedOver.image().digest() == null ? "latest" : "";
        LOG.info("pipeline job {}: deploying {} from {} to {}", job.id(), pinned, handedOver.source(), target);

        DeployReport report = deploys.deploy(
                new DeployRequest(service.name(), environment.name(), pinned, tag, job.id(), null), invocationId);
        DeployOutcome outcome = report.outcomes().stream()
                .filter(o -> o.environment().equals(environment.name()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the deploy reported nothing for " + target));
        return switch (outcome.result()) {
            case DEPLOYED, UNCHANGED, DUPLICATE -> succeeded(job, summary(outcome, pinned, tag));
            // A dry run must not let the pipeline carry on as if the image were deployed: it stops it, saying
            // what the deploy would have done.
            case PLANNED -> failed(job, JobFailureType.JOB_FAILED, "dry run (GANTRY_DRY_RUN): nothing was deployed. The deploy of "
                    + pinned + " to " + service.name() + "/" + environment.name() + " would " + outcome.reason().replaceFirst("^dry run: would ", "")
                    + (outcome.changes().isEmpty() ? "" : "; " + String.join("; ", outcome.changes())));
            case HELD -> failed(job, JobFailureType.CONFIGURATION_ERROR, environment.gated()
                    ? "environment " + environment.name() + " of " + service.name() + " is behind gate '" + environment.gate()
                            + "': a gated environment is entered when its gate passes, not from a pipeline's deploy action, so "
                            + pinned + " was not deployed. Point this action at an environment without a gate."
                    : "environment " + environment.name() + " of " + service.name() + " is held, so " + pinned + " was not deployed: "
                            + outcome.reason());
            // Anything else (a vetoed digest, and whatever the deploy service learns to refuse next) did not
            // deploy: failing the job is the answer that cannot let a pipeline run on past an image that is not there.
            default -> failed(job, JobFailureType.JOB_FAILED, "environment " + environment.name() + " of " + service.name()
                    + " did not take " + pinned + " (" + outcome.result() + "): " + outcome.reason());
        };
    }

    private ServiceConfig service(PipelineTarget target) {
        return config.services().stream()
                .filter(s -> s.name().equals(target.service()))
                .findFirst()
                .orElseThrow(() -> new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "UserParameters name service '"
                        + target.service() + "', which is not in Gantry's configuration (services: "
                        + String.join(", ", config.services().stream().map(ServiceConfig::name).toList()) + ")"));
    }

    private static EnvironmentConfig environment(ServiceConfig service, PipelineTarget target) {
        return service.environments().stream()
                .filter(e -> e.name().equals(target.environment()))
                .findFirst()
                .orElseThrow(() -> new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "UserParameters name environment '"
                        + target.environment() + "', which service '" + service.name() + "' does not have (it has: "
                        + String.join(", ", service.environments().stream().map(EnvironmentConfig::name).toList()) + ")"));
    }

    /** The first input artifact that holds an image file decides; the others are not read. */
    private HandedOverImage handedOverImage(PipelineJob job, ServiceConfig service, EnvironmentConfig environment) {
        if (job.inputArtifacts().isEmpty()) {
            throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "the action has no input artifact: give it the artifact"
                    + " that holds " + PipelineArtifact.IMAGE_DEFINITIONS + " or " + PipelineArtifact.IMAGE_DETAIL);
        }
        List<String> without = new ArrayList<>();
        for (ArtifactLocation location : job.inputArtifacts()) {
            byte[] zip = artifacts.read(location, job.access(), PipelineArtifact.MAX_ARTIFACT_BYTES);
            PipelineArtifact artifact = PipelineArtifact.unzip(location, zip);
            if (artifact.hasImageFile()) {
                return ArtifactImagePolicy.choose(service, environment, artifact);
            }
            without.add(location.name() + " (it has: " + artifact.describeEntries() + ")");
        }
        throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "no input artifact holds " + PipelineArtifact.IMAGE_DEFINITIONS
                + " or " + PipelineArtifact.IMAGE_DETAIL + " at its root: " + String.join("; ", without));
    }

    /** The handed-over image pinned to its digest: as given, or the digest its tag points at now. */
    private ImageReference pin(HandedOverImage handedOver) {
        ImageReference image = handedOver.image();
        if (image.digest() != null) {
            try {
                return new ImageReference(image.registry(), image.repository(), null, ImageDigest.parse(image.digest()).value());
            } catch (ImageDigest.InvalidDigestException e) {
                throw new PipelineJobException(JobFailureType.JOB_FAILED, handedOver.source() + " names " + image + ": " + e.getMessage(), e);
            }
        }
        if (image.ecrAccount().isEmpty()) {
            throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, handedOver.source() + " names " + image
                    + ", which has no digest and is not in Amazon ECR, so Gantry cannot pin it: hand over repository@sha256:<digest>");
        }
        // No tag means "latest", as for docker pull; pinning it now is what makes the deploy repeatable.
        ImageReference tagged = image.tag() != null ? image : new ImageReference(image.registry(), image.repository(), "latest", null);
        ImageDigest digest = registry.digestOf(tagged);
        LOG.info("pinned {} to {}", tagged, digest);
        return new ImageReference(image.registry(), image.repository(), null, digest.value());
    }

    private static String summary(DeployOutcome outcome, ImageReference pinned, String tag) {
        String done = switch (outcome.result()) {
            case DEPLOYED -> "deployed";
            case UNCHANGED -> "already running";
            case DUPLICATE -> "already deployed";
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

    private PipelineJobReport complete(PipelineJob job, String owner, JobResult result) {
        JobResult delivered = result;
        try {
            switch (result) {
                case JobResult.Succeeded s -> jobs.putSuccess(job.id(), s.summary());
                case JobResult.Failed f -> jobs.putFailure(job.id(), f.type(), f.message());
                case JobResult.CompletedElsewhere c -> throw new IllegalStateException("nothing to put for " + c);
            }
            LOG.info("pipeline job {}: result put ({})", job.id(), result instanceof JobResult.Failed f ? "failed, " + f.type() : "succeeded");
        } catch (JobAlreadyCompletedException e) {
            LOG.warn("pipeline job {} already had a result in CodePipeline; Gantry's ({}) was not put", job.id(), result, e);
            delivered = new JobResult.CompletedElsewhere("CodePipeline already had a result for this job; Gantry's was not put: "
                    + result.message());
        } catch (RuntimeException e) {
            abandon(job.id(), owner);
            throw e;
        }
        try {
            ledger.complete(job.id(), owner, delivered, clock.instant());
        } catch (RuntimeException e) {
            // The pipeline has its result, which is what counts. A copy of the job arriving later finds the
            // lease expired, puts again, and CodePipeline's "already completed" ends it there.
            LOG.warn("pipeline job {} completed but could not be recorded", job.id(), e);
        }
        return PipelineJobReport.of(job.id(), delivered instanceof JobResult.CompletedElsewhere ? Disposition.ALREADY_COMPLETED
                : Disposition.COMPLETED, delivered);
    }

    private void abandon(String jobId, String owner) {
        try {
            ledger.abandon(jobId, owner, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("pipeline job {}: could not give the lease up; a retry takes over when it runs out", jobId, e);
        }
    }

    private static JobResult succeeded(PipelineJob job, String summary) {
        return new JobResult.Succeeded(fit(job.access().scrub(summary), PipelineJobs.MAX_SUMMARY_LENGTH));
    }

    /** A failure of the job itself: expected, and its message says it all, so it is logged without a stack trace. */
    private static JobResult failed(PipelineJob job, JobFailureType type, String message) {
        String fitted = fit(job.access().scrub(message), PipelineJobs.MAX_FAILURE_MESSAGE_LENGTH);
        LOG.warn("pipeline job {} failed ({}): {}", job.id(), type, fitted);
        return new JobResult.Failed(type, fitted);
    }

    /** {@code text} cut to CodePipeline's limit, marked where it was cut. */
    static String fit(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - 1) + "…";
    }
}
