package dev.gantry.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactReader.ArtifactReadException;
import dev.gantry.core.release.ReleaseKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a CodePipeline gate action: the release the action's input artifact hands over waits at its
 * environment's gate, and the pipeline waits with it.
 *
 * <p>Each job gets exactly one result (through {@link PipelineJobRunner}): the gate passed -> success; it
 * is still waiting -> success with a continuation token, so CodePipeline runs the action again as a new job
 * (this is how a wait of hours stays within CodePipeline's 20 minutes per job; the action as a whole may
 * run 24 hours); it failed, timed out or was superseded by a newer digest -> failure, saying why. The
 * continuation token names the release, so a continuation job neither reads the artifact nor pins the tag
 * again: it asks about the same digest.
 *
 * <p>Errors: as {@link PipelineJobRunner}. A gate error (the checks could not be read) is a wait, not a
 * failure; gate records out of reach fail the job naming why; a defect is a failure that points to the log, never
 * with a credential in it.
 */
public final class PipelineGateService {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineGateService.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int TOKEN_VERSION = 1;
    private static final int EVIDENCE_LINES = 12;

    private final GantryConfig config;
    private final GateService gates;
    private final HandedOverImages images;
    private final PipelineJobRunner runner;

    public PipelineGateService(GantryConfig config, GateService gates, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock, Duration lease) {
        this.config = config;
        this.gates = gates;
        this.images = new HandedOverImages(artifacts, registry);
        this.runner = new PipelineJobRunner(jobs, ledger, clock, lease);
    }

    public PipelineGateService(GantryConfig config, GateService gates, ArtifactReader artifacts, ImageRegistry registry,
            PipelineJobs jobs, JobLedger ledger, Clock clock) {
        this(config, gates, artifacts, registry, jobs, ledger, clock, PipelineDeployService.DEFAULT_LEASE);
    }

    /** Tells the pipeline why the job's event could not be read (see {@link PipelineJobRunner#refuseUnreadable}). */
    public void refuseUnreadable(UnreadableJobException unreadable) {
        runner.refuseUnreadable(unreadable);
    }

    /**
     * @param continuationToken the token of an earlier job of the same action run; null for the first job
     */
    public PipelineJobReport run(PipelineJob job, String continuationToken, String invocationId) {
        return runner.run(job, invocationId, j -> decide(j, continuationToken, invocationId));
    }

    private JobResult decide(PipelineJob job, String continuationToken, String invocationId) {
        try {
            PipelineTarget target = PipelineTarget.fromUserParameters(job.userParameters());
            ServiceConfig service = target.serviceIn(config);
            EnvironmentConfig environment = target.environmentOf(service);
            if (!environment.gated()) {
                throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "environment " + environment.name() + " of "
                        + service.name() + " has no gate in Gantry's configuration, so this gate action has nothing to wait for;"
                        + " give the environment a gate, or remove the action");
            }
            GateSubject subject = continuationToken == null
                    ? firstAsk(job, target, service, environment)
                    : continuedAsk(continuationToken, target, job);
            GateRecord record = gates.evaluate(subject);
            if (gates.entersOnExecutionPass(subject, record)) {
                // The deploy action asks the gate's live conditions again; this action only says its execution has the pass.
                GateRecord.ExecutionPass pass = record.passOf(subject.pipelineExecution()).orElseThrow();
                return PipelineJobRunner.succeeded(job, "gate '" + record.gate() + "' for " + record.key().id() + " passed for pipeline"
                        + " execution " + pass.execution() + " at " + pass.at());
            }
            return answer(job, record);
        } catch (PipelineJobException e) {
            return PipelineJobRunner.failed(job, e.type(), e.getMessage());
        } catch (ArtifactReadException | ImageRegistry.ImageNotFoundException e) {
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, e.getMessage());
        } catch (ImageRegistry.ImageRegistryException e) {
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "could not pin the image to a digest: " + e.getMessage());
        } catch (GateStore.GateStoreException e) {
            // The gate's records were out of reach (DynamoDB failing past the SDK's retries): an outage to name, not a defect.
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "the gate could not be decided, its records are out of reach: "
                    + e.getMessage() + "; retry the stage");
        } catch (RuntimeException e) {
            LOG.error("pipeline gate job {} failed unexpectedly", job.id(), e);
            return PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, "Gantry failed unexpectedly while evaluating this gate"
                    + " (invocation " + invocationId + "); its log has the details");
        }
    }

    private GateSubject firstAsk(PipelineJob job, PipelineTarget target, ServiceConfig service, EnvironmentConfig environment) {
        HandedOverImages.Pinned pinned = images.pinned(job, service, environment);
        ImageDigest digest = new ImageDigest(pinned.image().digest());
        return new GateSubject(new ReleaseKey(service.name(), environment.name(), digest), pinned.image().render(),
                pinned.tag().isEmpty() ? null : pinned.tag(), pinned.pushedAt(), target.triggeredBy(), GateOrigin.PIPELINE,
                "pipeline-job:" + job.id(), target.executionOf(job));
    }

    /**
     * The round the token names, asked about by {@code job}'s own execution: the stored record may have been brought by
     * another execution's gate action on the same digest since, and a pass this job gets is its execution's, for that
     * execution's deploy action to enter on.
     */
    private GateSubject continuedAsk(String token, PipelineTarget target, PipelineJob job) {
        ReleaseKey key = readToken(token);
        String arrival = readArrival(token);
        if (!key.service().equals(target.service()) || !key.environment().equals(target.environment())) {
            throw new PipelineJobException(JobFailureType.JOB_FAILED, "the continuation token names " + key.id()
                    + ", not a release of " + target + " that this action gates");
        }
        GateRecord record = gates.find(key).orElseThrow(() -> new PipelineJobException(JobFailureType.JOB_FAILED,
                "the continuation token names " + key.id() + ", which never reached its gate"));
        GateSubject stored = GateService.subjectOf(record);
        return new GateSubject(stored.key(), stored.image(), stored.tag(), stored.pushedAt(), stored.triggeredBy(), stored.origin(),
                arrival != null ? arrival : stored.arrival(), target.executionOf(job));
    }

    private JobResult answer(PipelineJob job, GateRecord record) {
        String head = "gate '" + record.gate() + "' for " + record.key().id();
        return switch (record.status()) {
            case PASSED -> PipelineJobRunner.succeeded(job, head + " passed: " + record.reason() + evidence(record));
            case WAITING -> PipelineJobRunner.continued(job, token(record.key(), record.arrival()), head + " is waiting: " + record.reason()
                    + (record.nextLook() == null ? "" : "; looks again by " + record.nextLook()) + evidence(record));
            case FAILED -> PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, head + " refused the release: " + record.reason()
                    + evidence(record));
            case TIMED_OUT -> PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, head + " timed out: " + record.reason()
                    + evidence(record));
            case SUPERSEDED -> PipelineJobRunner.failed(job, JobFailureType.JOB_FAILED, head + ": " + record.reason()
                    + "; the newer release goes through the gate instead");
        };
    }

    /** The latest evaluation's evidence, as much as a pipeline's summary line holds. */
    private static String evidence(GateRecord record) {
        if (record.evaluations().isEmpty()) {
            return "";
        }
        GateEvaluation latest = record.evaluations().getLast();
        List<String> lines = new ArrayList<>();
        for (GateEvaluation.CheckSummary check : latest.checks()) {
            lines.add(check.check() + " " + check.verdict() + (check.reason() == null ? "" : " (" + check.reason() + ")"));
            check.evidence().stream().limit(3).forEach(line -> lines.add("  " + line));
        }
        return ". Checks: " + String.join("; ", lines.subList(0, Math.min(lines.size(), EVIDENCE_LINES)));
    }

    static String token(ReleaseKey key) {
        return token(key, null);
    }

    /** @param arrival the round the action run waits on, so its continuation jobs keep asking about that round */
    static String token(ReleaseKey key, String arrival) {
        ObjectNode token = JSON.createObjectNode()
                .put("v", TOKEN_VERSION)
                .put("service", key.service())
                .put("environment", key.environment())
                .put("digest", key.digest().value());
        if (arrival != null) {
            token.put("arrival", arrival);
        }
        return token.toString();
    }

    private static String readArrival(String token) {
        try {
            JsonNode arrival = JSON.readTree(token).get("arrival");
            return arrival == null || !arrival.isTextual() ? null : arrival.asText();
        } catch (JsonProcessingException e) {
            throw badToken("it is not JSON");
        }
    }

    static ReleaseKey readToken(String token) {
        try {
            JsonNode node = JSON.readTree(token);
            if (node == null || !node.isObject() || node.path("v").asInt() != TOKEN_VERSION) {
                throw badToken("it is not a version " + TOKEN_VERSION + " gate token");
            }
            String service = node.path("service").asText("");
            String environment = node.path("environment").asText("");
            if (service.isBlank() || environment.isBlank()) {
                throw badToken("it names no service and environment");
            }
            return new ReleaseKey(service, environment, ImageDigest.parse(node.path("digest").asText("")));
        } catch (JsonProcessingException e) {
            throw badToken("it is not JSON");
        } catch (ImageDigest.InvalidDigestException e) {
            throw badToken(e.getMessage());
        }
    }

    private static PipelineJobException badToken(String why) {
        return new PipelineJobException(JobFailureType.JOB_FAILED, "the continuation token is not one Gantry's gate action gave: " + why);
    }
}
