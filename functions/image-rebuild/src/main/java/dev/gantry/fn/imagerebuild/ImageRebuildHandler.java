package dev.gantry.fn.imagerebuild;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.aws.events.CodeBuildStateChangeEvent;
import dev.gantry.aws.events.CodeBuildStateChangeEvent.BuildStateChange;
import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.aws.events.Ec2ImageBuilderStateChangeEvent;
import dev.gantry.aws.events.Ec2ImageBuilderStateChangeEvent.ImageStateChange;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.notify.NewsTeller;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.rebuild.ImageBuilderImage;
import dev.gantry.core.rebuild.ImageBuilderImages;
import dev.gantry.core.rebuild.RebuildLedger.RebuildLedgerException;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.release.MalformedEventException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.logging.argument.StructuredArgument;

/**
 * Entry point for everything that moves image rebuilds along: base image pushes, EC2 Image Builder images, ends of
 * the builds and pipeline executions Gantry started, a base image's rebuild schedule, and the sweep that resumes
 * deferred or stalled starts. Reads the event by its detail-type, makes one call into the rebuild service, tells the
 * rebuild thread of each run the report speaks of what it says of that run, logs one line with the report's result and the rebuilds in flight
 * after it (the source of Gantry's rebuilds-in-flight metric), and answers with the report as JSON.
 *
 * <p>A malformed or unknown event, or a failure to reach the ledger, fails the invocation, so Lambda retries it and
 * finally hands it to the on-failure destination instead of dropping it.
 */
public final class ImageRebuildHandler implements RequestStreamHandler {

    // The parsers in dev.gantry.aws.events keep their detail-types to themselves; these are EventBridge's words.
    static final String ECR_IMAGE_ACTION = "ECR Image Action";
    static final String IMAGE_BUILDER_IMAGE_STATE_CHANGE = "EC2 Image Builder Image State Change";
    static final String CODEBUILD_BUILD_STATE_CHANGE = "CodeBuild Build State Change";
    static final List<String> DETAIL_TYPES = List.of(ECR_IMAGE_ACTION, IMAGE_BUILDER_IMAGE_STATE_CHANGE, CODEBUILD_BUILD_STATE_CHANGE,
            PipelineExecutionStateChange.DETAIL_TYPE, ScheduleEvents.SCHEDULED_REBUILD, ScheduleEvents.SCHEDULED_EVENT);

    /** CodeBuild's build-status values after which the build runs no more. */
    static final Set<String> FINISHED_BUILD_STATUSES = Set.of("SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT");

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = LoggerFactory.getLogger(ImageRebuildHandler.class);

    private final RebuildService rebuilds;
    private final ImageBuilderImages imageBuilder;
    private final Notifier notifier;
    private final Clock clock;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public ImageRebuildHandler() {
        this(ImageRebuildWiring.fromEnvironment(System.getenv()));
    }

    private ImageRebuildHandler(ImageRebuildWiring.Wired wired) {
        this(wired.rebuilds(), wired.imageBuilder(), wired.notifier(), Clock.systemUTC());
        wired.priming().register();
    }

    /**
     * Tells no news.
     *
     * @param imageBuilder where an Image Builder image's pipeline and container images are read back
     */
    public ImageRebuildHandler(RebuildService rebuilds, ImageBuilderImages imageBuilder) {
        this(rebuilds, imageBuilder, Notifier.NONE, Clock.systemUTC());
    }

    /**
     * @param imageBuilder where an Image Builder image's pipeline and container images are read back
     * @param clock when news is told: reports carry no time of their own
     */
    public ImageRebuildHandler(RebuildService rebuilds, ImageBuilderImages imageBuilder, Notifier notifier, Clock clock) {
        this.rebuilds = rebuilds;
        this.imageBuilder = imageBuilder;
        this.notifier = notifier;
        this.clock = clock;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        RebuildReport report = PowertoolsLogging.withLogging(context, () -> {
            RebuildReport routed = route(event);
            tell(routed);
            logOutcome(routed);
            return routed;
        });
        JSON.writeValue(output, report);
    }

    /**
     * The report's news, when it worked on a cascade, and that of each other run it touched, in its own thread; what
     * goes wrong telling one is logged, never thrown.
     */
    private void tell(RebuildReport report) {
        for (RebuildReport ofRun : Stream.concat(Stream.of(report), report.otherRuns().stream()).toList()) {
            try {
                RebuildChanged.of(ofRun, clock.instant()).ifPresent(notifier::tell);
            } catch (RuntimeException e) {
                // The builds were started or recorded already: failing the invocation would run that again, not the telling.
                LOG.atError().addKeyValue(NewsTeller.UNTOLD_LOG_FIELD, ofRun.trigger()).setCause(e)
                        .log("the news of {} was not told: {}", ofRun.trigger(), e.getMessage());
            }
        }
    }

    /** One line per event: its JSON fields feed CloudWatch metric filters (GantryOperations), its message is for people. */
    private void logOutcome(RebuildReport report) {
        StructuredArgument result = entry(RebuildService.RESULT_LOG_FIELD, report.result().name());
        try {
            LOG.info("{}", report.summary(), result, entry(RebuildService.IN_FLIGHT_LOG_FIELD, rebuilds.rebuildsInFlight()));
        } catch (RebuildLedgerException e) {
            // A count is no reason to fail an event whose builds were started or recorded already.
            LOG.warn("{} (rebuilds in flight unknown)", report.summary(), result, e);
        }
    }

    /** One event, one call into the rebuild service, chosen by the event's detail-type. */
    private RebuildReport route(byte[] event) {
        String detailType = ScheduleEvents.detailTypeOf(event);
        switch (detailType) {
            case ECR_IMAGE_ACTION -> {
                ImagePush push = EcrImageActionEvent.parse(new ByteArrayInputStream(event));
                MDC.put("correlation_id", push.eventId());
                return rebuilds.onImagePush(push);
            }
            case IMAGE_BUILDER_IMAGE_STATE_CHANGE -> {
                ImageStateChange change = Ec2ImageBuilderStateChangeEvent.parse(new ByteArrayInputStream(event));
                MDC.put("correlation_id", change.eventId());
                ImageBuilderImage image = imageBuilderImage(change);
                // Only a finished image is worth the GetImage call that says which pipeline built it.
                return rebuilds.onImageBuilderImage(image.finished() ? imageBuilder.complete(image) : image);
            }
            case CODEBUILD_BUILD_STATE_CHANGE -> {
                BuildStateChange build = CodeBuildStateChangeEvent.parse(new ByteArrayInputStream(event));
                MDC.put("correlation_id", build.eventId());
                if (!FINISHED_BUILD_STATUSES.contains(build.buildStatus())) {
                    return ignored("build " + build.buildId() + " " + build.buildStatus(),
                            "the build is still running; only a finished build frees a slot");
                }
                return rebuilds.onBuildFinished(build.buildId(), build.succeeded(),
                        build.succeeded() ? null : "CodeBuild status " + build.buildStatus());
            }
            case PipelineExecutionStateChange.DETAIL_TYPE -> {
                PipelineExecutionStateChange execution = PipelineExecutionStateChange.parse(event);
                MDC.put("correlation_id", execution.eventId());
                if (!execution.finished()) {
                    return ignored("pipeline execution " + execution.executionId() + " " + execution.state(),
                            "the execution is still running; only a finished execution frees a slot");
                }
                return rebuilds.onBuildFinished(execution.executionId(), execution.succeeded(),
                        execution.succeeded() ? null : "pipeline " + execution.pipeline() + " execution " + execution.state());
            }
            case ScheduleEvents.SCHEDULED_REBUILD -> {
                ScheduleEvents.ScheduledRebuild scheduled = ScheduleEvents.scheduledRebuild(event);
                MDC.put("correlation_id", scheduled.eventId());
                return rebuilds.onScheduledRebuild(scheduled.baseName(), scheduled.scheduledFor());
            }
            case ScheduleEvents.SCHEDULED_EVENT -> {
                return rebuilds.resume();
            }
            default -> throw new MalformedEventException("detail-type: '" + detailType + "' is none of '"
                    + String.join("', '", DETAIL_TYPES) + "'");
        }
    }

    private static RebuildReport ignored(String trigger, String note) {
        return new RebuildReport(RebuildReport.Result.IGNORED, trigger, null, null, 0, 0, 0, List.of(), note);
    }

    /** The event names no image pipeline, so none is passed; the container images are passed when it lists them. */
    static ImageBuilderImage imageBuilderImage(ImageStateChange change) {
        return new ImageBuilderImage(null, change.imageArn(), change.status(), change.reason(), change.containerImageUris());
    }
}
