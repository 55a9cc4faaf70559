package dev.gantry.fn.releasegate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.aws.events.CodePipelineJobEvent;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.PipelineJobReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Entry point for CodePipeline's "AWS Lambda invoke" action used as a gate: reads the job (and the
 * continuation token of an earlier job of the same run), has the pipeline gate service answer it (which puts
 * the job's result in CodePipeline), and answers with what it did as JSON. The release's thread is told each answer
 * the gate stores, by the gate service the wiring gives it.
 *
 * <p>A problem with the job is the job's failure result, and the invocation succeeds. The invocation fails
 * only when the event is not a job, or the job could be neither claimed nor completed, so Lambda retries it
 * and finally hands it to the on-failure destination.
 */
public final class PipelineGateHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final PipelineGateService gates;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public PipelineGateHandler() {
        this(ReleaseGateWiring.pipelineGate(System.getenv()));
    }

    private PipelineGateHandler(ReleaseGateWiring.PipelineGate wired) {
        this(wired.gates());
        wired.priming().register();
    }

    public PipelineGateHandler(PipelineGateService gates) {
        this.gates = gates;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        PipelineJobReport report = PowertoolsLogging.withLogging(context, () -> {
            PipelineJob job = CodePipelineJobEvent.parse(input, gates::refuseUnreadable);
            MDC.put("correlation_id", job.id());
            return gates.run(job, job.continuationToken(), context.getAwsRequestId());
        });
        JSON.writeValue(output, report);
    }
}
