package dev.gantry.fn.ecsdeploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.notify.DeployNews;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Entry point for EventBridge {@code ECR Image Action} events: reads the event, asks the deploy service
 * what to do, tells the release threads what happened, and answers with the report as JSON.
 *
 * <p>A malformed event or a failed deploy fails the invocation, so Lambda retries it and finally hands
 * it to the on-failure destination instead of dropping it; the environments the push did deploy are told first.
 */
public final class EcsDeployHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final DeployService deploys;
    private final DeployNews news;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public EcsDeployHandler() {
        this(EcsDeployWiring.fromEnvironment(System.getenv()));
    }

    private EcsDeployHandler(EcsDeployWiring.Wired wired) {
        this(wired.deploys(), wired.news());
        wired.priming().register();
    }

    /** Tells no news. */
    public EcsDeployHandler(DeployService deploys) {
        this(deploys, DeployNews.NONE);
    }

    public EcsDeployHandler(DeployService deploys, DeployNews news) {
        this.deploys = deploys;
        this.news = news;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        DeployReport report = PowertoolsLogging.withLogging(context, () -> {
            ImagePush push = EcrImageActionEvent.parse(input);
            MDC.put("correlation_id", push.eventId());
            DeployReport deployed;
            try {
                deployed = deploys.onImagePush(push, context.getAwsRequestId());
            } catch (DeployService.DeployFailedException e) {
                // Told now or never: the replay from the failure queue finds these environments DUPLICATE, which tells nothing.
                news.afterPush(push, e.report());
                throw e;
            }
            news.afterPush(push, deployed);
            return deployed;
        });
        JSON.writeValue(output, report);
    }
}
