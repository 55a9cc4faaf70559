package dev.gantry.fn.ecsdeploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.aws.events.EcsDeploymentStateChangeEvent;
import dev.gantry.aws.events.EcsTaskStateChangeEvent;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.DeploymentStateChange;
import dev.gantry.core.rollout.RolloutReport;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.core.rollout.TaskStateChange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Entry point for the EventBridge ECS events that follow a rollout, {@code ECS Deployment State Change}
 * and {@code ECS Task State Change}: reads the event by its detail-type, hands it to the rollout service,
 * tells the release threads what it recorded, and answers with the report as JSON.
 *
 * <p>A malformed event or a failure to read ECS or the store fails the invocation, so Lambda retries it
 * and finally hands it to the on-failure destination instead of dropping it.
 */
public final class RolloutHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final RolloutService rollouts;
    private final DeployNews news;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public RolloutHandler() {
        this(RolloutWiring.fromEnvironment(System.getenv()));
    }

    private RolloutHandler(RolloutWiring.Wired wired) {
        this(wired.rollouts(), wired.news());
        wired.priming().register();
    }

    /** Tells no news. */
    public RolloutHandler(RolloutService rollouts) {
        this(rollouts, DeployNews.NONE);
    }

    public RolloutHandler(RolloutService rollouts, DeployNews news) {
        this.rollouts = rollouts;
        this.news = news;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        RolloutReport report = PowertoolsLogging.withLogging(context, () -> route(event));
        JSON.writeValue(output, report);
    }

    /** One event, one call into the rollout service, chosen by the event's detail-type, and the news of what it recorded. */
    private RolloutReport route(byte[] event) {
        String detailType = detailTypeOf(event);
        switch (detailType) {
            case EcsDeploymentStateChangeEvent.DETAIL_TYPE -> {
                DeploymentStateChange change = EcsDeploymentStateChangeEvent.parse(new ByteArrayInputStream(event));
                MDC.put("correlation_id", change.eventId());
                RolloutReport report = rollouts.onDeploymentStateChange(change);
                news.afterRollout(report, change.updatedAt());
                return report;
            }
            case EcsTaskStateChangeEvent.DETAIL_TYPE -> {
                TaskStateChange task = EcsTaskStateChangeEvent.parse(new ByteArrayInputStream(event));
                MDC.put("correlation_id", task.eventId());
                RolloutReport report = rollouts.onTaskStateChange(task);
                news.afterRollout(report, task.time());
                return report;
            }
            default -> throw new MalformedEventException("detail-type: '" + detailType + "' is neither '"
                    + EcsDeploymentStateChangeEvent.DETAIL_TYPE + "' nor '" + EcsTaskStateChangeEvent.DETAIL_TYPE + "'");
        }
    }

    private static String detailTypeOf(byte[] event) {
        JsonNode tree;
        try {
            tree = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("the event could not be read: " + e.getMessage(), e);
        }
        JsonNode detailType = tree == null ? null : tree.get("detail-type");
        if (detailType == null || !detailType.isTextual() || detailType.asText().isBlank()) {
            throw new MalformedEventException("detail-type: missing");
        }
        return detailType.asText();
    }
}
