package dev.gantry.fn.ecsdeploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.aws.events.CodePipelineJobEvent;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.PipelineJobReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Entry point for CodePipeline's "AWS Lambda invoke" action: reads the job, has the pipeline deploy
 * service run it (which puts the job's result in CodePipeline), tells the release thread of what it deployed, and
 * answers with what it did as JSON.
 *
 * <p>A problem with the job is the job's failure result, and the invocation succeeds. The invocation fails
 * only when the event is not a job, or the job could be neither claimed nor completed, so Lambda retries
 * it and finally hands it to the on-failure destination.
 */
public final class PipelineDeployHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final PipelineDeployService pipelineDeploys;
    private final DeployNews news;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public PipelineDeployHandler() {
        this(PipelineDeployWiring.fromEnvironment(System.getenv()));
    }

    private PipelineDeployHandler(PipelineDeployWiring.Wired wired) {
        this(wired.pipelineDeploys(), wired.news());
        wired.priming().register();
    }

    /** Tells no news. */
    public PipelineDeployHandler(PipelineDeployService pipelineDeploys) {
        this(pipelineDeploys, DeployNews.NONE);
    }

    public PipelineDeployHandler(PipelineDeployService pipelineDeploys, DeployNews news) {
        this.pipelineDeploys = pipelineDeploys;
        this.news = news;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        PipelineJobReport report = PowertoolsLogging.withLogging(context, () -> {
            PipelineJob job = CodePipelineJobEvent.parse(input, pipelineDeploys::refuseUnreadable);
            MDC.put("correlation_id", job.id());
            PipelineJobReport ran = pipelineDeploys.run(job, context.getAwsRequestId());
            news.afterPipelineJob(job, ran);
            return ran;
        });
        JSON.writeValue(output, report);
    }
}
